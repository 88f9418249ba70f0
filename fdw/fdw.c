/*-------------------------------------------------------------------------
 *
 * fdw.c
 *		The foreign-data wrapper's callbacks: planning with pushdown, the
 *		streaming scan, EXPLAIN, and IMPORT FOREIGN SCHEMA.
 *
 * Pushdown never changes an answer.  A qual goes to the plugin only when it
 * is on a key column the plugin declared, with an operator it declared, and
 * with PostgreSQL's own meaning (the type's default btree operator; for
 * collatable types only equality, and only under a deterministic
 * collation).  Every qual is still checked here.  LIMIT goes only when every
 * restriction went and nothing between the scan and the LIMIT could drop or
 * reorder rows.
 *
 * A scan streams: bytes arrive (http.c), complete lines are decoded
 * (rowdecode.c), values become Datums (convert.c) in a per-row memory
 * context, and the trailer line ends it.  A stream that ends without its
 * trailer is an error, never a short result.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/reloptions.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/pg_am.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_operator.h"
#include "catalog/pg_type.h"
#include "commands/comment.h"
#include "commands/defrem.h"
#include "commands/explain.h"
#include "executor/executor.h"
#include "foreign/fdwapi.h"
#include "foreign/foreign.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/clauses.h"
#include "optimizer/cost.h"
#include "optimizer/optimizer.h"
#include "optimizer/pathnode.h"
#include "optimizer/paths.h"
#include "optimizer/planmain.h"
#include "optimizer/restrictinfo.h"
#include "parser/parse_type.h"
#include "parser/parsetree.h"
#include "tcop/utility.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/ruleutils.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"
#include "utils/typcache.h"

#include "convert.h"
#include "fdw.h"
#include "http.h"
#include "option.h"
#include "protocol.h"
#include "registry.h"
#include "rowdecode.h"

PG_FUNCTION_INFO_V1(pm_fdw_handler);

/*
 * Rows assumed for a table about which nothing is known.  Plugins front
 * APIs and whole systems: guessing big makes the planner send join values
 * to the plugin (a parameterized scan) rather than fetch a whole table to
 * hash it, unless the other side is big too.
 */
#define PM_DEFAULT_ROWS		100000.0
/* the cost of one request: a round trip to a local process */
#define PM_STARTUP_COST		25.0
#define PM_ROW_COST			0.0025
#define PM_MAX_SCHEMA_BYTES (16 * 1024 * 1024)
#define PM_MAX_ERROR_BYTES	(1024 * 1024)

/* A qual that can go to the plugin. */
typedef struct PmPushable
{
	AttrNumber	attnum;
	char	   *column;
	int			op;				/* PMP_OP_* */
	Expr	   *value;			/* evaluated at scan start; NULL for null tests */
	double		nvalues;		/* for the estimate: 1, or the IN list's length */
} PmPushable;

/* Planner state of one foreign table. */
typedef struct PmRelInfo
{
	PmFdwOptions opts;
	PmpKeyColumn *keys;			/* palloc'd copy */
	int			nkeys;
	List	   *pushed;			/* PmPushable of the baserestrictinfo */
	bool		all_pushed;		/* every restriction went */
} PmRelInfo;

/* fdw_private of the plan, by index */
enum PmPrivate
{
	PM_PRIV_TABLE,				/* String: the plugin's table */
	PM_PRIV_COLUMNS,			/* List of String: requested columns */
	PM_PRIV_ATTNUMS,			/* IntList: their attribute numbers */
	PM_PRIV_QUALS,				/* List of (String column, Integer op, Integer expr) */
	PM_PRIV_LIMIT				/* String: the pushed limit, or "" */
};

/* Executor state of one scan. */
typedef struct PmScanState
{
	PmFdwOptions opts;
	char	   *plugin_desc;
	char	   *table;
	int			ncols;
	AttrNumber *attnums;
	char	  **colnames;
	PmColumnConv *convs;
	List	   *quals;			/* as in fdw_private */
	List	   *qual_states;	/* ExprState of each fdw_expr */
	int64		limit;			/* -1: none */

	MemoryContext scan_cxt;		/* the request and stream; reset per rescan */
	MemoryContext row_cxt;		/* one row's values */
	PmjDecoder *decoder;
	PmjValue   *values;
	MemoryContextCallback decoder_cb;
	MemoryContextCallback stats_cb;

	PmHttpStream *stream;
	PmPluginHandle handle;		/* of a local plugin (pid 0 for a URL) */
	bool		started;
	bool		streaming;		/* the answer's status was 2xx */
	bool		finished;		/* trailer seen (or no request needed) */
	bool		stats_done;
	int64		rows;
	uint64		bytes_total;
	TimestampTz scan_start;
	char	   *last_request;	/* credentials masked, for EXPLAIN ANALYZE */
	MemoryContext req_cxt;		/* holds last_request only */

	/* for the error context */
	const char *cur_column;
} PmScanState;

static ProcessUtility_hook_type prev_utility_hook = NULL;
static List *pending_comments = NIL;

/* ---------- classification of quals ---------- */

static PmpKeyColumn *
pm_find_key(PmRelInfo *fp, const char *column)
{
	for (int i = 0; i < fp->nkeys; i++)
		if (strcmp(fp->keys[i].name, column) == 0)
			return &fp->keys[i];
	return NULL;
}

static bool
pm_is_our_var(Node *node, RelOptInfo *baserel)
{
	if (node && IsA(node, RelabelType))
		node = (Node *) ((RelabelType *) node)->arg;
	return node && IsA(node, Var) &&
		((Var *) node)->varno == baserel->relid &&
		((Var *) node)->varlevelsup == 0 &&
		((Var *) node)->varattno > 0;
}

static Var *
pm_strip_var(Node *node)
{
	if (IsA(node, RelabelType))
		node = (Node *) ((RelabelType *) node)->arg;
	return (Var *) node;
}

/* A value we can compute when the scan starts: no Var of ours, not volatile. */
static bool
pm_is_runtime_value(PlannerInfo *root, Node *node, RelOptInfo *baserel)
{
	Relids		varnos = pull_varnos(root, node);

	return !bms_is_member(baserel->relid, varnos) &&
		!contain_volatile_functions(node) &&
		!contain_subplans(node);
}

/*
 * The btree meaning of an operator on the column's type: PMP_OP_* or 0.
 * Only the type's default btree family counts, so "<" means PostgreSQL's
 * "<"; collatable types keep equality only, and only when deterministic.
 */
static int
pm_operator_meaning(Oid opno, Oid coltype, Oid inputcollid)
{
	Oid			opclass = GetDefaultOpClass(coltype, BTREE_AM_OID);
	Oid			family;
	int			strategy;
	bool		collatable = type_is_collatable(coltype);

	if (!OidIsValid(opclass))
		return 0;
	family = get_opclass_family(opclass);
	strategy = get_op_opfamily_strategy(opno, family);
	if (strategy == 0)
	{
		/* "<>" is no family member: it is the negator of its "=" */
		Oid			neg = get_negator(opno);

		if (OidIsValid(neg) &&
			get_op_opfamily_strategy(neg, family) == BTEqualStrategyNumber &&
			(!collatable || get_collation_isdeterministic(inputcollid)))
			return PMP_OP_NE;
		return 0;
	}
	if (collatable && (strategy != BTEqualStrategyNumber ||
					   !OidIsValid(inputcollid) ||
					   !get_collation_isdeterministic(inputcollid)))
		return 0;
	switch (strategy)
	{
		case BTLessStrategyNumber:
			return PMP_OP_LT;
		case BTLessEqualStrategyNumber:
			return PMP_OP_LE;
		case BTEqualStrategyNumber:
			return PMP_OP_EQ;
		case BTGreaterEqualStrategyNumber:
			return PMP_OP_GE;
		case BTGreaterStrategyNumber:
			return PMP_OP_GT;
	}
	return 0;
}

static bool
pm_classify(PlannerInfo *root, RelOptInfo *baserel, PmRelInfo *fp, Expr *clause,
			PmPushable *out)
{
	Var		   *var = NULL;
	Node	   *value = NULL;
	int			op = 0;
	PmpKeyColumn *key;

	if (IsA(clause, OpExpr) && list_length(((OpExpr *) clause)->args) == 2)
	{
		OpExpr	   *oe = (OpExpr *) clause;
		Node	   *l = linitial(oe->args);
		Node	   *r = lsecond(oe->args);
		Oid			opno = oe->opno;

		if (pm_is_our_var(l, baserel) && pm_is_runtime_value(root, r, baserel))
		{
			var = pm_strip_var(l);
			value = r;
		}
		else if (pm_is_our_var(r, baserel) && pm_is_runtime_value(root, l, baserel))
		{
			var = pm_strip_var(r);
			value = l;
			opno = get_commutator(opno);
			if (!OidIsValid(opno))
				return false;
		}
		else
			return false;
		op = pm_operator_meaning(opno, var->vartype, oe->inputcollid);
		out->nvalues = 1;
	}
	else if (IsA(clause, ScalarArrayOpExpr))
	{
		ScalarArrayOpExpr *sa = (ScalarArrayOpExpr *) clause;
		Node	   *l = linitial(sa->args);
		Node	   *r = lsecond(sa->args);

		if (!sa->useOr || !pm_is_our_var(l, baserel) ||
			!pm_is_runtime_value(root, r, baserel))
			return false;
		var = pm_strip_var(l);
		if (pm_operator_meaning(sa->opno, var->vartype, sa->inputcollid) != PMP_OP_EQ)
			return false;
		op = PMP_OP_IN;
		value = r;
		out->nvalues = (IsA(r, Const) && !((Const *) r)->constisnull)
			? ArrayGetNItems(ARR_NDIM(DatumGetArrayTypeP(((Const *) r)->constvalue)),
							 ARR_DIMS(DatumGetArrayTypeP(((Const *) r)->constvalue)))
			: 10;
	}
	else if (IsA(clause, NullTest))
	{
		NullTest   *nt = (NullTest *) clause;

		if (nt->argisrow || !pm_is_our_var((Node *) nt->arg, baserel))
			return false;
		var = pm_strip_var((Node *) nt->arg);
		op = nt->nulltesttype == IS_NULL ? PMP_OP_IS_NULL : PMP_OP_IS_NOT_NULL;
		out->nvalues = 1;
	}
	else
		return false;

	if (op == 0)
		return false;
	out->attnum = var->varattno;
	out->column = get_attname(planner_rt_fetch(baserel->relid, root)->relid,
							  var->varattno, false);
	out->op = op;
	out->value = (Expr *) value;
	key = pm_find_key(fp, out->column);
	return key != NULL && (key->ops & op) != 0;
}

/* ---------- planning ---------- */

static void
pm_load_keys(PmRelInfo *fp)
{
	PmpKeyColumn *keys;
	int			nkeys;
	char		err[256];

	fp->keys = NULL;
	fp->nkeys = 0;
	if (fp->opts.key_columns == NULL)
		return;
	if (!pmp_parse_key_columns(fp->opts.key_columns, &keys, &nkeys, err, sizeof(err)))
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
				 errmsg("invalid value for option \"key_columns\""),
				 errdetail_internal("%s", err)));
	fp->keys = palloc0(sizeof(PmpKeyColumn) * Max(nkeys, 1));
	for (int i = 0; i < nkeys; i++)
	{
		fp->keys[i] = keys[i];
		fp->keys[i].name = pstrdup(keys[i].name);
	}
	fp->nkeys = nkeys;
	pmp_free_key_columns(keys, nkeys);
}

static double
pm_estimate_rows(List *pushed, double rows)
{
	double		eq = -1;
	ListCell   *lc;

	foreach(lc, pushed)
	{
		PmPushable *p = (PmPushable *) lfirst(lc);

		if (p->op == PMP_OP_EQ || p->op == PMP_OP_IN)
			eq = eq < 0 ? p->nvalues : Min(eq, p->nvalues);
	}
	return eq >= 0 ? Min(eq, rows) : rows;
}

static void
pmGetForeignRelSize(PlannerInfo *root, RelOptInfo *baserel, Oid foreigntableid)
{
	PmRelInfo  *fp = palloc0(sizeof(PmRelInfo));
	ListCell   *lc;
	Selectivity sel;

	baserel->fdw_private = fp;
	pm_table_options(foreigntableid, &fp->opts);
	pm_load_keys(fp);

	fp->all_pushed = true;
	foreach(lc, baserel->baserestrictinfo)
	{
		RestrictInfo *ri = lfirst_node(RestrictInfo, lc);
		PmPushable	p;

		if (pm_classify(root, baserel, fp, ri->clause, &p))
			fp->pushed = lappend(fp->pushed, memcpy(palloc(sizeof(p)), &p, sizeof(p)));
		else
			fp->all_pushed = false;
	}

	baserel->tuples = PM_DEFAULT_ROWS;
	sel = clauselist_selectivity(root, baserel->baserestrictinfo, 0, JOIN_INNER, NULL);
	baserel->rows = clamp_row_est(pm_estimate_rows(fp->pushed, PM_DEFAULT_ROWS * sel));
}

/*
 * LIMIT (with OFFSET folded in) may go to the plugin only when the scan is
 * all the query does: no join, grouping, aggregate, window, DISTINCT, sort,
 * set-returning function or locking between the scan and the LIMIT, and
 * every restriction went to the plugin too.
 */
static int64
pm_pushable_limit(PlannerInfo *root, RelOptInfo *baserel, PmRelInfo *fp)
{
	Query	   *parse = root->parse;

	if (root->limit_tuples <= 0 || !fp->all_pushed)
		return -1;
	if (parse->commandType != CMD_SELECT || parse->sortClause ||
		parse->groupClause || parse->groupingSets || parse->distinctClause ||
		parse->hasAggs || parse->hasWindowFuncs || parse->hasTargetSRFs ||
		parse->havingQual || parse->setOperations || parse->rowMarks ||
		root->hasHavingQual)
		return -1;
	if (baserel->reloptkind != RELOPT_BASEREL ||
		bms_num_members(root->all_baserels) != 1 ||
		list_length(parse->jointree->fromlist) != 1 ||
		!IsA(linitial(parse->jointree->fromlist), RangeTblRef))
		return -1;
	return (int64) root->limit_tuples;
}

/* Is there a pushable "key = value" or "key IN (...)" for the column? */
static bool
pm_has_required(List *pushed, const char *column)
{
	ListCell   *lc;

	foreach(lc, pushed)
	{
		PmPushable *p = (PmPushable *) lfirst(lc);

		if (strcmp(p->column, column) == 0 &&
			(p->op == PMP_OP_EQ || p->op == PMP_OP_IN))
			return true;
	}
	return false;
}

static bool
pm_missing_required(PmRelInfo *fp, List *pushed)
{
	for (int i = 0; i < fp->nkeys; i++)
		if (fp->keys[i].required && !pm_has_required(pushed, fp->keys[i].name))
			return true;
	return false;
}

static bool
pm_ec_matches_key(PlannerInfo *root, RelOptInfo *rel, EquivalenceClass *ec,
				  EquivalenceMember *em, void *arg)
{
	Var		   *var = (Var *) em->em_expr;
	AttrNumber	attnum = *(AttrNumber *) arg;

	if (IsA(var, RelabelType))
		var = (Var *) ((RelabelType *) var)->arg;
	return IsA(var, Var) && var->varno == rel->relid &&
		var->varattno == attnum && var->varlevelsup == 0;
}

static void
pm_add_path(PlannerInfo *root, RelOptInfo *baserel, PmRelInfo *fp,
			List *pushed, double rows, Relids required_outer, int64 limit)
{
	Cost		startup = PM_STARTUP_COST;
	Cost		total;
	ForeignPath *path;

	/* a path that cannot satisfy a required key column is a last resort */
	if (pm_missing_required(fp, pushed))
		startup += disable_cost;
	if (limit > 0)
		rows = Min(rows, (double) limit);
	total = startup + rows * (PM_ROW_COST + cpu_tuple_cost);
	path = create_foreignscan_path(root, baserel, NULL, rows, startup, total,
								   NIL, required_outer, NULL,
								   list_make1(makeString(psprintf(INT64_FORMAT, limit))));
	add_path(baserel, (Path *) path);
}

static void
pmGetForeignPaths(PlannerInfo *root, RelOptInfo *baserel, Oid foreigntableid)
{
	PmRelInfo  *fp = (PmRelInfo *) baserel->fdw_private;
	Relation	rel;
	TupleDesc	tupdesc;
	List	   *outers = NIL;
	ListCell   *lc;

	pm_add_path(root, baserel, fp, fp->pushed, baserel->rows, NULL,
				pm_pushable_limit(root, baserel, fp));

	/*
	 * Parameterized paths: a join value for a key column with "=" can go to
	 * the plugin (a nested loop then asks once per outer row).  Join
	 * clauses come from equivalence classes and from joininfo.
	 */
	rel = table_open(foreigntableid, NoLock);
	tupdesc = RelationGetDescr(rel);
	for (int i = 0; i < fp->nkeys; i++)
	{
		AttrNumber	attnum = InvalidAttrNumber;
		List	   *clauses;

		if (!(fp->keys[i].ops & PMP_OP_EQ))
			continue;
		for (int a = 0; a < tupdesc->natts; a++)
			if (!TupleDescAttr(tupdesc, a)->attisdropped &&
				strcmp(NameStr(TupleDescAttr(tupdesc, a)->attname), fp->keys[i].name) == 0)
				attnum = a + 1;
		if (attnum == InvalidAttrNumber)
			continue;
		clauses = generate_implied_equalities_for_column(root, baserel,
														 pm_ec_matches_key,
														 &attnum, NULL);
		foreach(lc, baserel->joininfo)
			clauses = lappend(clauses, lfirst(lc));
		foreach(lc, clauses)
		{
			RestrictInfo *ri = lfirst_node(RestrictInfo, lc);
			Relids		outer = bms_difference(ri->clause_relids, baserel->relids);
			PmPushable	p;

			if (bms_is_empty(outer) || bms_overlap(outer, baserel->lateral_referencers) ||
				!join_clause_is_movable_to(ri, baserel))
				continue;
			if (!pm_classify(root, baserel, fp, ri->clause, &p) ||
				strcmp(p.column, fp->keys[i].name) != 0)
				continue;
			if (list_member(outers, outer))
				continue;
			outers = lappend(outers, outer);
			{
				ParamPathInfo *ppi = get_baserel_parampathinfo(root, baserel, outer);
				List	   *pushed = list_copy(fp->pushed);
				ListCell   *lc2;

				foreach(lc2, ppi->ppi_clauses)
				{
					RestrictInfo *pri = lfirst_node(RestrictInfo, lc2);
					PmPushable	pp;

					if (pm_classify(root, baserel, fp, pri->clause, &pp))
						pushed = lappend(pushed, memcpy(palloc(sizeof(pp)), &pp, sizeof(pp)));
				}
				pm_add_path(root, baserel, fp, pushed,
							clamp_row_est(pm_estimate_rows(pushed, ppi->ppi_rows)),
							outer, -1);
			}
		}
	}
	table_close(rel, NoLock);
}

static ForeignScan *
pmGetForeignPlan(PlannerInfo *root, RelOptInfo *baserel, Oid foreigntableid,
				 ForeignPath *best_path, List *tlist, List *scan_clauses,
				 Plan *outer_plan)
{
	PmRelInfo  *fp = (PmRelInfo *) baserel->fdw_private;
	List	   *local = extract_actual_clauses(scan_clauses, false);
	List	   *pushed = NIL;
	List	   *fdw_exprs = NIL;
	List	   *quals = NIL;
	List	   *columns = NIL;
	List	   *attnums = NIL;
	Bitmapset  *attrs = NULL;
	bool		whole_row;
	Relation	rel;
	TupleDesc	tupdesc;
	ListCell   *lc;
	char	   *limit = strVal(linitial(best_path->fdw_private));

	foreach(lc, scan_clauses)
	{
		RestrictInfo *ri = lfirst_node(RestrictInfo, lc);
		PmPushable	p;

		if (!pm_classify(root, baserel, fp, ri->clause, &p))
			continue;
		pushed = lappend(pushed, memcpy(palloc(sizeof(p)), &p, sizeof(p)));
		quals = lappend(quals, list_make3(makeString(p.column),
										  makeInteger(p.op),
										  makeInteger(p.value ? list_length(fdw_exprs) : -1)));
		if (p.value)
			fdw_exprs = lappend(fdw_exprs, p.value);
	}

	/* a required key column without a value: refuse before any request */
	for (int i = 0; i < fp->nkeys; i++)
	{
		if (fp->keys[i].required && !pm_has_required(pushed, fp->keys[i].name))
			ereport(ERROR,
					(errcode(ERRCODE_FDW_DYNAMIC_PARAMETER_VALUE_NEEDED),
					 errmsg("a value for column \"%s\" is required to scan foreign table \"%s\"",
							fp->keys[i].name, get_rel_name(foreigntableid)),
					 errdetail("%s needs \"%s\" to be given with = or IN to scan its table \"%s\".",
							   pm_describe_plugin(&fp->opts), fp->keys[i].name, fp->opts.table),
					 errhint("Add a condition such as WHERE %s = '...' or WHERE %s IN ('...', '...'), or join on %s.",
							 quote_identifier(fp->keys[i].name),
							 quote_identifier(fp->keys[i].name),
							 quote_identifier(fp->keys[i].name))));
	}

	/* the columns the query needs: output, and quals we check here */
	pull_varattnos((Node *) baserel->reltarget->exprs, baserel->relid, &attrs);
	pull_varattnos((Node *) local, baserel->relid, &attrs);
	whole_row = bms_is_member(0 - FirstLowInvalidHeapAttributeNumber, attrs);
	rel = table_open(foreigntableid, NoLock);
	tupdesc = RelationGetDescr(rel);
	for (int a = 0; a < tupdesc->natts; a++)
	{
		Form_pg_attribute att = TupleDescAttr(tupdesc, a);

		if (att->attisdropped)
			continue;
		if (whole_row ||
			bms_is_member(att->attnum - FirstLowInvalidHeapAttributeNumber, attrs))
		{
			columns = lappend(columns, makeString(pstrdup(NameStr(att->attname))));
			attnums = lappend_int(attnums, att->attnum);
		}
	}
	table_close(rel, NoLock);

	return make_foreignscan(tlist, local, baserel->relid, fdw_exprs,
							list_make5(makeString(fp->opts.table), columns, attnums,
									   quals, makeString(limit)),
							NIL, NIL, outer_plan);
}

/* ---------- the scan ---------- */

static void
pm_scan_error_context(void *arg)
{
	PmScanState *ss = (PmScanState *) arg;

	if (ss->cur_column)
		errcontext("column \"%s\" of row " INT64_FORMAT " of table \"%s\" from %s",
				   ss->cur_column, ss->rows + 1, ss->table, ss->plugin_desc);
	else if (ss->streaming)
		errcontext("row " INT64_FORMAT " of table \"%s\" from %s",
				   ss->rows + 1, ss->table, ss->plugin_desc);
	else
		errcontext("scan of table \"%s\" from %s", ss->table, ss->plugin_desc);
}

static void
pm_record_stats(PmScanState *ss, bool failed)
{
	if (ss->stats_done || !ss->scan_start || ss->opts.plugin == NULL)
		return;
	ss->stats_done = true;
	pmr_add_scan_stats(ss->opts.plugin, ss->rows, ss->bytes_total, failed,
					   (uint64) Max(TimestampDifferenceMilliseconds(ss->scan_start,
																	GetCurrentTimestamp()), 0) * 1000);
}

/*
 * The query's context goes away without EndForeignScan: an error.  Its
 * child contexts, the stream's included, are gone by now; only the scan
 * state itself may be read.
 */
static void
pm_stats_on_abort(void *arg)
{
	pm_record_stats((PmScanState *) arg, true);
}

static void
pm_destroy_decoder(void *arg)
{
	pmj_destroy((PmjDecoder *) arg);
}

static void
pmBeginForeignScan(ForeignScanState *node, int eflags)
{
	ForeignScan *plan = (ForeignScan *) node->ss.ps.plan;
	EState	   *estate = node->ss.ps.state;
	PmScanState *ss = palloc0(sizeof(PmScanState));
	TupleDesc	tupdesc = RelationGetDescr(node->ss.ss_currentRelation);
	List	   *columns = list_nth(plan->fdw_private, PM_PRIV_COLUMNS);
	List	   *attnums = list_nth(plan->fdw_private, PM_PRIV_ATTNUMS);
	char	   *limit = strVal(list_nth(plan->fdw_private, PM_PRIV_LIMIT));
	Oid			userid;
	int			i;

	node->fdw_state = ss;
	pm_table_options(RelationGetRelid(node->ss.ss_currentRelation), &ss->opts);
	ss->plugin_desc = pm_describe_plugin(&ss->opts);
	ss->table = strVal(list_nth(plan->fdw_private, PM_PRIV_TABLE));
	ss->quals = list_nth(plan->fdw_private, PM_PRIV_QUALS);
	ss->limit = strtoi64(limit, NULL, 10);
	if (eflags & EXEC_FLAG_EXPLAIN_ONLY)
		return;

	{
		RangeTblEntry *rte = exec_rt_fetch(plan->scan.scanrelid, estate);

		userid = OidIsValid(rte->checkAsUser) ? rte->checkAsUser : GetUserId();
	}
	pm_user_credentials(ss->opts.serverid, userid, &ss->opts);

	ss->ncols = list_length(columns);
	ss->attnums = palloc(sizeof(AttrNumber) * Max(ss->ncols, 1));
	ss->colnames = palloc(sizeof(char *) * Max(ss->ncols, 1));
	ss->convs = palloc(sizeof(PmColumnConv) * Max(ss->ncols, 1));
	for (i = 0; i < ss->ncols; i++)
	{
		Form_pg_attribute att;

		ss->attnums[i] = list_nth_int(attnums, i);
		ss->colnames[i] = strVal(list_nth(columns, i));
		att = TupleDescAttr(tupdesc, ss->attnums[i] - 1);
		pmc_init(&ss->convs[i], ss->colnames[i], att->atttypid, att->atttypmod);
	}
	ss->qual_states = ExecInitExprList(plan->fdw_exprs, (PlanState *) node);

	ss->scan_cxt = AllocSetContextCreate(estate->es_query_cxt,
										 "plugin_manager scan",
										 ALLOCSET_DEFAULT_SIZES);
	ss->row_cxt = AllocSetContextCreate(estate->es_query_cxt,
										"plugin_manager row",
										ALLOCSET_SMALL_SIZES);
	ss->req_cxt = AllocSetContextCreate(estate->es_query_cxt,
										"plugin_manager request",
										ALLOCSET_SMALL_SIZES);
	ss->decoder = pmj_create();
	if (ss->decoder == NULL)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
	ss->decoder_cb.func = pm_destroy_decoder;
	ss->decoder_cb.arg = ss->decoder;
	MemoryContextRegisterResetCallback(estate->es_query_cxt, &ss->decoder_cb);
	ss->stats_cb.func = pm_stats_on_abort;
	ss->stats_cb.arg = ss;
	MemoryContextRegisterResetCallback(estate->es_query_cxt, &ss->stats_cb);
	/* one more slot than columns, to notice a row that has too many */
	ss->values = palloc(sizeof(PmjValue) * (ss->ncols + 1));
}

/*
 * Evaluate the quals' values and build the request.  Returns false when a
 * value makes the answer empty without asking (a comparison with NULL).
 */
static bool
pm_build_request(ForeignScanState *node, PmScanState *ss, PmpRequest *req)
{
	ExprContext *econtext = node->ss.ps.ps_ExprContext;
	ListCell   *lc;

	for (int i = 0; i < ss->ncols; i++)
		pmp_request_add_column(req, ss->colnames[i]);

	foreach(lc, ss->quals)
	{
		List	   *q = (List *) lfirst(lc);
		char	   *column = strVal(linitial(q));
		int			op = intVal(lsecond(q));
		int			expr = intVal(lthird(q));
		PmpScalar  *vals = NULL;
		int			nvals = 0;

		if (expr >= 0)
		{
			ExprState  *es = (ExprState *) list_nth(ss->qual_states, expr);
			Oid			type = exprType((Node *) es->expr);
			bool		isnull;
			Datum		value;

			value = ExecEvalExpr(es, econtext, &isnull);
			if (isnull)
				return false;	/* x = NULL, x IN (NULL array): no row */
			if (op == PMP_OP_IN)
			{
				nvals = pmc_from_array(value, &vals);
				if (nvals == 0)
					return false;
			}
			else
			{
				vals = palloc(sizeof(PmpScalar));
				pmc_from_datum(value, type, &vals[0]);
				nvals = 1;
			}
		}
		if (!pmp_request_add_qual(req, column, op, vals, nvals))
			ereport(ERROR,
					(errcode(ERRCODE_OUT_OF_MEMORY),
					 errmsg("could not encode the value of a condition on \"%s\"", column)));
	}
	if (ss->limit > 0)
		pmp_request_set_limit(req, ss->limit);
	foreach(lc, ss->opts.config)
	{
		DefElem    *def = (DefElem *) lfirst(lc);

		pmp_request_add_config(req, def->defname, defGetString(def));
	}
	foreach(lc, ss->opts.credentials)
	{
		DefElem    *def = (DefElem *) lfirst(lc);

		pmp_request_add_credential(req, def->defname, defGetString(def));
	}
	return true;
}

/*
 * At most max bytes of what a plugin sent, for a message: cut before the
 * first byte that is not valid UTF-8, so the message itself stays valid.
 */
static int
pm_snippet_len(const char *s, size_t len, size_t max)
{
	len = Min(len, max);
	return pg_encoding_verifymbstr(PG_UTF8, s, (int) len);
}

/* A non-2xx answer: the plugin's error body becomes the ERROR. */
static void
pm_raise_http_error(PmHttpStream *stream, long status, const char *what)
{
	size_t		len;
	const char *body = pmh_read_all(stream, PM_MAX_ERROR_BYTES, &len);
	PmpMessage	msg;
	char		err[128];

	if (pmp_parse_message(body, len, &msg, err, sizeof(err)) &&
		msg.kind == PMP_MSG_ERROR)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_ERROR),
				 errmsg_internal("%s", msg.message),
				 msg.detail[0] ? errdetail_internal("%s", msg.detail) : 0,
				 msg.hint[0] ? errhint("%s", msg.hint) : 0));
	ereport(ERROR,
			(errcode(ERRCODE_FDW_ERROR),
			 errmsg("plugin answered %s with HTTP status %ld", what, status),
			 errdetail_internal("Body: %.*s", pm_snippet_len(body, strlen(body), 200), body)));
}

/*
 * Handles of the local plugins this backend has used, by plugin name, kept
 * for the life of the backend (TopMemoryContext, deliberately): a scan goes
 * straight to its plugin's socket.  A handle is only as good as its
 * generation: when its process is gone (stopped, restarted, crashed), the
 * connection is refused, and pm_request replaces the handle by a newer one
 * from the registry.
 */
typedef struct PmCachedHandle
{
	char		name[PM_NAME_MAXLEN + 1];	/* hash key */
	PmPluginHandle handle;
} PmCachedHandle;

static HTAB *pm_handles = NULL;

static PmCachedHandle *
pm_cached_handle(const char *name)
{
	bool		found;
	PmCachedHandle *entry;

	if (pm_handles == NULL)
	{
		HASHCTL		ctl;

		ctl.keysize = PM_NAME_MAXLEN + 1;
		ctl.entrysize = sizeof(PmCachedHandle);
		pm_handles = hash_create("plugin_manager handles", 16, &ctl,
								 HASH_ELEM | HASH_STRINGS);
	}
	entry = hash_search(pm_handles, name, HASH_ENTER, &found);
	if (!found)
		pmr_acquire(name, &entry->handle);
	return entry;
}

static void
pm_forget_handle(const char *name)
{
	if (pm_handles != NULL)
		(void) hash_search(pm_handles, name, HASH_REMOVE, NULL);
}

/*
 * Is a local plugin's process gone?  A dying process closes its sockets a
 * moment before it is a zombie (which the manager then reaps), so look a few
 * times.
 */
static bool
pm_process_gone(int pid)
{
	for (int attempt = 0; pid > 0 && attempt < 5; attempt++)
	{
		char		path[64];
		char		buf[512];
		FILE	   *f;
		bool		gone = true;

		snprintf(path, sizeof(path), "/proc/%d/stat", pid);
		f = AllocateFile(path, "r");
		if (f != NULL)
		{
			size_t		n = fread(buf, 1, sizeof(buf) - 1, f);
			char	   *paren;

			buf[n] = '\0';
			paren = strrchr(buf, ')');
			/* "pid (comm) S ...": state Z is a zombie */
			gone = paren != NULL && paren[1] == ' ' && paren[2] == 'Z';
			FreeFile(f);
		}
		if (gone)
			return true;
		pg_usleep(5000L);
		CHECK_FOR_INTERRUPTS();
	}
	return false;
}

/*
 * Send a request to the plugin and wait for the answer's status.  A cached
 * handle can be stale (its process was stopped, restarted or died, maybe a
 * moment ago, before the manager noticed): if no answer came and that
 * process is gone, get a newer handle and ask again, once.
 */
static PmHttpStream *
pm_request(PmFdwOptions *opts, PmPluginHandle *h, const char *path,
		   const char *body, long *status)
{
	PmHttpStream *stream;
	PmCachedHandle *cached;
	bool		refused;

	memset(h, 0, sizeof(*h));
	if (opts->url)
	{
		stream = pmh_start(opts->url, path, body, &opts->timeouts);
		*status = pmh_status(stream);
		return stream;
	}
	cached = pm_cached_handle(opts->plugin);
	*h = cached->handle;
	stream = pmh_start(h->endpoint, path, body, &opts->timeouts);
	*status = pmh_try_status(stream, &refused);
	if (*status == 0 && (refused || pm_process_gone(h->pid)))
	{
		PmPluginHandle fresh;

		pmh_close(stream);
		pm_forget_handle(opts->plugin);
		pmr_acquire(opts->plugin, &fresh);
		if (fresh.generation == h->generation && pm_process_gone(h->pid))
			pmr_acquire_newer(opts->plugin, h->generation, &fresh);
		*h = fresh;
		stream = pmh_start(h->endpoint, path, body, &opts->timeouts);
		*status = pmh_try_status(stream, &refused);
		pm_cached_handle(opts->plugin)->handle = fresh;
	}
	if (*status == 0)
	{
		pm_forget_handle(opts->plugin);
		if (pm_process_gone(h->pid))
			ereport(ERROR,
					(errcode(ERRCODE_CONNECTION_FAILURE),
					 errmsg("plugin \"%s\" exited during the scan", opts->plugin),
					 errdetail("The plugin process (PID %d) ended before it answered.", h->pid),
					 errhint("plugin_manager.plugins shows how it exited; the server log has its last words.")));
		pmh_raise_error(stream);
	}
	return stream;
}

static void
pm_start_scan(ForeignScanState *node, PmScanState *ss)
{
	MemoryContext old = MemoryContextSwitchTo(ss->scan_cxt);
	PmpRequest *req = pmp_request_new(ss->table);
	char	   *volatile body = NULL;
	volatile bool ask = false;
	long		status;

	if (req == NULL)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
	PG_TRY();
	{
		char	   *text;

		ask = pm_build_request(node, ss, req);
		text = pmp_request_dump(req, false);
		body = text ? pstrdup(text) : NULL;
		free(text);
		text = pmp_request_dump(req, true);
		MemoryContextReset(ss->req_cxt);
		ss->last_request = text ? MemoryContextStrdup(ss->req_cxt, text) : NULL;
		free(text);
	}
	PG_FINALLY();
	{
		pmp_request_free(req);
	}
	PG_END_TRY();
	if (body == NULL)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));

	ss->started = true;
	ss->rows = 0;
	if (!ask)
	{
		ss->finished = true;
		MemoryContextSwitchTo(old);
		return;
	}
	ss->stream = pm_request(&ss->opts, &ss->handle, "/v1/scan", body, &status);
	pmh_count_into(ss->stream, &ss->bytes_total);
	if (status < 200 || status > 299)
		pm_raise_http_error(ss->stream, status, "a scan");
	ss->streaming = true;
	MemoryContextSwitchTo(old);
}

static void
pm_stream_message(PmScanState *ss, const char *line, size_t len)
{
	PmpMessage	msg;
	char		err[256];

	if (!pmp_parse_message(line, len, &msg, err, sizeof(err)))
		ereport(ERROR,
				(errcode(ERRCODE_PROTOCOL_VIOLATION),
				 errmsg("plugin sent an invalid line"),
				 errdetail_internal("%s: %.*s", err, pm_snippet_len(line, len, 100), line)));
	if (msg.kind == PMP_MSG_ERROR)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_ERROR),
				 errmsg_internal("%s", msg.message),
				 msg.detail[0] ? errdetail_internal("%s", msg.detail) : 0,
				 msg.hint[0] ? errhint("%s", msg.hint) : 0));
	if (msg.kind == PMP_MSG_END)
	{
		if (msg.rows >= 0 && msg.rows != ss->rows)
			ereport(ERROR,
					(errcode(ERRCODE_PROTOCOL_VIOLATION),
					 errmsg("plugin's trailer counts %lld rows, but it sent " INT64_FORMAT,
							msg.rows, ss->rows)));
		ss->finished = true;
		return;
	}
	ereport(ERROR,
			(errcode(ERRCODE_PROTOCOL_VIOLATION),
			 errmsg("plugin sent an object that is neither a trailer nor an error"),
			 errdetail_internal("%.*s", pm_snippet_len(line, len, 100), line)));
}

/*
 * The connection broke in the middle of the answer.  If the plugin's process
 * is gone (or a zombie the manager has not reaped yet), say that it exited:
 * a crash is a different thing to look into than a cut connection.
 */
static void
pm_raise_lost(PmScanState *ss)
{
	if (ss->opts.plugin)
		pm_forget_handle(ss->opts.plugin);
	if (ss->handle.pid > 0 && pm_process_gone(ss->handle.pid))
		ereport(ERROR,
				(errcode(ERRCODE_CONNECTION_FAILURE),
				 errmsg("%s exited during the scan", ss->plugin_desc),
				 errdetail("The plugin process (PID %d) ended after sending " INT64_FORMAT " rows; the result would be incomplete.",
						   ss->handle.pid, ss->rows),
				 errhint("plugin_manager.plugins shows how it exited; the server log has its last words.")));
	pmh_raise_error(ss->stream);
}

static TupleTableSlot *
pmIterateForeignScan(ForeignScanState *node)
{
	PmScanState *ss = (PmScanState *) node->fdw_state;
	TupleTableSlot *slot = node->ss.ss_ScanTupleSlot;
	ErrorContextCallback errcb;
	MemoryContext old;

	errcb.callback = pm_scan_error_context;
	errcb.arg = ss;
	errcb.previous = error_context_stack;
	error_context_stack = &errcb;

	if (!ss->scan_start)
		ss->scan_start = GetCurrentTimestamp();
	if (!ss->started)
		pm_start_scan(node, ss);

	ExecClearTuple(slot);
	MemoryContextReset(ss->row_cxt);
	old = MemoryContextSwitchTo(ss->row_cxt);

	while (ss->stream != NULL)
	{
		size_t		len;
		const char *line = pmh_next_line(ss->stream, &len);
		int			n;
		char		err[256];
		PmjResult	r;

		if (line == NULL)
		{
			if (pmh_failed(ss->stream))
				pm_raise_lost(ss);
			if (!ss->finished)
				ereport(ERROR,
						(errcode(ERRCODE_PROTOCOL_VIOLATION),
						 errmsg("plugin's answer ended without its trailer after " INT64_FORMAT " rows",
								ss->rows),
						 errdetail("The plugin stopped sending before it said the scan was complete; the result would be incomplete.")));
			break;
		}
		if (ss->finished)
		{
			if (len > 0)
				ereport(ERROR,
						(errcode(ERRCODE_PROTOCOL_VIOLATION),
						 errmsg("plugin sent data after its trailer")));
			continue;
		}
		if (len == 0)
			continue;

		pmj_reset(ss->decoder);
		r = pmj_decode_array(ss->decoder, line, len, ss->values, ss->ncols + 1,
							 &n, err, sizeof(err));
		if (r == PMJ_NOT_ARRAY)
		{
			pm_stream_message(ss, line, len);
			continue;
		}
		if (r == PMJ_BAD)
			ereport(ERROR,
					(errcode(ERRCODE_PROTOCOL_VIOLATION),
					 errmsg("plugin sent an invalid row"),
					 errdetail_internal("%s; the line begins: %.*s", err,
										pm_snippet_len(line, len, 80), line)));
		if (n != ss->ncols)
			ereport(ERROR,
					(errcode(ERRCODE_FDW_INVALID_COLUMN_NUMBER),
					 errmsg("plugin sent a row of %d values for %d requested columns",
							n, ss->ncols)));

		memset(slot->tts_isnull, true, sizeof(bool) * slot->tts_tupleDescriptor->natts);
		for (int i = 0; i < ss->ncols; i++)
		{
			int			att = ss->attnums[i] - 1;

			ss->cur_column = ss->colnames[i];
			slot->tts_values[att] = pmc_to_datum(&ss->convs[i], ss->decoder,
												 &ss->values[i], &slot->tts_isnull[att]);
		}
		ss->cur_column = NULL;
		ss->rows++;
		ExecStoreVirtualTuple(slot);
		break;
	}

	MemoryContextSwitchTo(old);
	error_context_stack = errcb.previous;
	return slot;
}

static void
pm_end_stream(PmScanState *ss)
{
	if (ss->stream)
	{
		pmh_close(ss->stream);	/* adds its bytes to bytes_total */
		ss->stream = NULL;
	}
	if (ss->scan_cxt)
		MemoryContextReset(ss->scan_cxt);
}

static void
pmReScanForeignScan(ForeignScanState *node)
{
	PmScanState *ss = (PmScanState *) node->fdw_state;

	pm_end_stream(ss);
	ss->started = false;
	ss->streaming = false;
	ss->finished = false;
	ss->rows = 0;
}

static void
pmEndForeignScan(ForeignScanState *node)
{
	PmScanState *ss = (PmScanState *) node->fdw_state;

	if (ss == NULL || ss->scan_cxt == NULL)
		return;
	pm_end_stream(ss);			/* first: closing adds the stream's bytes */
	pm_record_stats(ss, false);
}

/* ---------- EXPLAIN ---------- */

/*
 * EXPLAIN VERBOSE without ANALYZE: the request as it would go, credentials
 * masked; a value known only at run time shows as its expression.
 */
static char *
pm_preview_request(ForeignScan *plan, PmScanState *ss, List *dpcontext)
{
	PmpRequest *req = pmp_request_new(ss->table);
	char	   *volatile text = NULL;
	char	   *out;
	PmFdwOptions creds = ss->opts;

	if (req == NULL)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
	/* output functions and deparsing may fail: the jansson request goes anyway */
	PG_TRY();
	{
		ListCell   *lc;

		foreach(lc, (List *) list_nth(plan->fdw_private, PM_PRIV_COLUMNS))
			pmp_request_add_column(req, strVal(lfirst(lc)));
		foreach(lc, (List *) list_nth(plan->fdw_private, PM_PRIV_QUALS))
		{
			List	   *q = (List *) lfirst(lc);
			int			op = intVal(lsecond(q));
			int			expr = intVal(lthird(q));
			Node	   *e = expr >= 0 ? list_nth(plan->fdw_exprs, expr) : NULL;
			PmpScalar  *vals = palloc0(sizeof(PmpScalar));
			int			nvals = e ? 1 : 0;

			if (e && IsA(e, Const) && !((Const *) e)->constisnull && op == PMP_OP_IN)
				nvals = pmc_from_array(((Const *) e)->constvalue, &vals);
			else if (e && IsA(e, Const) && !((Const *) e)->constisnull)
				pmc_from_datum(((Const *) e)->constvalue, ((Const *) e)->consttype, &vals[0]);
			else if (e)
			{
				vals[0].kind = PMP_STRING;
				vals[0].s = deparse_expression(e, dpcontext, false, false);
			}
			(void) pmp_request_add_qual(req, strVal(linitial(q)), op, vals, nvals);
		}
		if (ss->limit > 0)
			pmp_request_set_limit(req, ss->limit);
		foreach(lc, ss->opts.config)
			pmp_request_add_config(req, ((DefElem *) lfirst(lc))->defname,
								   defGetString((DefElem *) lfirst(lc)));
		pm_user_credentials(ss->opts.serverid, GetUserId(), &creds);
		foreach(lc, creds.credentials)
			pmp_request_add_credential(req, ((DefElem *) lfirst(lc))->defname, "");
		text = pmp_request_dump(req, true);
	}
	PG_FINALLY();
	{
		pmp_request_free(req);
	}
	PG_END_TRY();
	out = text ? pstrdup(text) : NULL;
	free(text);
	return out;
}

static void
pmExplainForeignScan(ForeignScanState *node, ExplainState *es)
{
	ForeignScan *plan = (ForeignScan *) node->ss.ps.plan;
	PmScanState *ss = (PmScanState *) node->fdw_state;
	List	   *quals = list_nth(plan->fdw_private, PM_PRIV_QUALS);
	List	   *dpcontext;
	StringInfoData buf;
	ListCell   *lc;

	ExplainPropertyText("Plugin", ss->opts.plugin ? ss->opts.plugin : "(remote)", es);
	ExplainPropertyText("Plugin Table", ss->table, es);

	dpcontext = set_deparse_context_plan(es->deparse_cxt, node->ss.ps.plan, NIL);
	initStringInfo(&buf);
	foreach(lc, quals)
	{
		List	   *q = (List *) lfirst(lc);
		int			op = intVal(lsecond(q));
		int			expr = intVal(lthird(q));

		appendStringInfo(&buf, "%s%s %s", buf.len ? ", " : "",
						 quote_identifier(strVal(linitial(q))),
						 op == PMP_OP_IS_NULL ? "IS NULL" :
						 op == PMP_OP_IS_NOT_NULL ? "IS NOT NULL" :
						 op == PMP_OP_IN ? "IN" : pmp_op_name(op));
		if (expr >= 0)
			appendStringInfo(&buf, " %s",
							 deparse_expression(list_nth(plan->fdw_exprs, expr),
												dpcontext, false, false));
	}
	if (buf.len > 0 || es->verbose)
		ExplainPropertyText("Pushed Quals", buf.len ? buf.data : "(none)", es);
	if (ss->limit > 0)
		ExplainPropertyInteger("Pushed Limit", NULL, ss->limit, es);
	if (es->verbose)
	{
		resetStringInfo(&buf);
		foreach(lc, (List *) list_nth(plan->fdw_private, PM_PRIV_COLUMNS))
			appendStringInfo(&buf, "%s%s", buf.len ? ", " : "", strVal(lfirst(lc)));
		ExplainPropertyText("Plugin Columns", buf.len ? buf.data : "(none)", es);
		if (ss->last_request)
			ExplainPropertyText("Plugin Request", ss->last_request, es);
		else
		{
			char	   *preview = pm_preview_request(plan, ss, dpcontext);

			if (preview)
				ExplainPropertyText("Plugin Request", preview, es);
		}
	}
}

/* ---------- IMPORT FOREIGN SCHEMA ---------- */

typedef struct PmImportContext
{
	const char *plugin;
	const char *table;
	const char *column;
} PmImportContext;

static void
pm_import_error_context(void *arg)
{
	PmImportContext *ic = (PmImportContext *) arg;

	if (ic->column)
		errcontext("column \"%s\" of table \"%s\" in the schema of %s",
				   ic->column, ic->table, ic->plugin);
	else if (ic->table)
		errcontext("table \"%s\" in the schema of %s", ic->table, ic->plugin);
	else
		errcontext("schema of %s", ic->plugin);
}

static bool
pm_import_wanted(ImportForeignSchemaStmt *stmt, const char *table)
{
	ListCell   *lc;
	bool		listed = false;

	if (stmt->list_type == FDW_IMPORT_SCHEMA_ALL)
		return true;
	foreach(lc, stmt->table_list)
		if (strcmp(((RangeVar *) lfirst(lc))->relname, table) == 0)
			listed = true;
	return stmt->list_type == FDW_IMPORT_SCHEMA_LIMIT_TO ? listed : !listed;
}

typedef struct PmPendingComment
{
	char	   *table;
	char	   *column;			/* NULL: the table's comment */
	char	   *comment;
} PmPendingComment;

static List *
pm_import_tables(ImportForeignSchemaStmt *stmt, PmpSchema *schema,
				 PmFdwOptions *opts, PmImportContext *ic)
{
	List	   *commands = NIL;
	ForeignServer *server = GetForeignServer(opts->serverid);

	for (int t = 0; t < schema->ntables; t++)
	{
		PmpTable   *tab = &schema->tables[t];
		StringInfoData buf;

		if (!pm_import_wanted(stmt, tab->name))
			continue;
		ic->table = tab->name;
		initStringInfo(&buf);
		appendStringInfo(&buf, "CREATE FOREIGN TABLE %s (",
						 quote_identifier(tab->name));
		for (int c = 0; c < tab->ncolumns; c++)
		{
			Oid			typid;
			int32		typmod;

			ic->column = tab->columns[c].name;
			parseTypeString(tab->columns[c].type, &typid, &typmod, true);
			if (!OidIsValid(typid))
				ereport(ERROR,
						(errcode(ERRCODE_FDW_INVALID_DATA_TYPE),
						 errmsg("plugin declares unknown type \"%s\" for column \"%s\" of table \"%s\"",
								tab->columns[c].type, tab->columns[c].name, tab->name),
						 errhint("A plugin's column types must be PostgreSQL type names such as bigint, text or timestamptz.")));
			appendStringInfo(&buf, "%s%s %s", c ? ", " : "",
							 quote_identifier(tab->columns[c].name),
							 format_type_with_typemod(typid, typmod));
			if (tab->columns[c].description)
			{
				PmPendingComment *pc = palloc(sizeof(PmPendingComment));

				pc->table = pstrdup(tab->name);
				pc->column = pstrdup(tab->columns[c].name);
				pc->comment = pstrdup(tab->columns[c].description);
				pending_comments = lappend(pending_comments, pc);
			}
		}
		ic->column = NULL;
		appendStringInfo(&buf, ") SERVER %s OPTIONS (table %s",
						 quote_identifier(server->servername),
						 quote_literal_cstr(tab->name));
		if (tab->keys_json)
			appendStringInfo(&buf, ", key_columns %s", quote_literal_cstr(tab->keys_json));
		appendStringInfoString(&buf, ")");
		commands = lappend(commands, buf.data);
		if (tab->description)
		{
			PmPendingComment *pc = palloc(sizeof(PmPendingComment));

			pc->table = pstrdup(tab->name);
			pc->column = NULL;
			pc->comment = pstrdup(tab->description);
			pending_comments = lappend(pending_comments, pc);
		}
	}
	ic->table = NULL;
	return commands;
}

static List *
pmImportForeignSchema(ImportForeignSchemaStmt *stmt, Oid serverOid)
{
	PmFdwOptions opts;
	PmImportContext ic = {0};
	ErrorContextCallback errcb;
	PmHttpStream *stream;
	const char *body;
	size_t		len;
	long		status;
	PmpSchema  *schema;
	char		err[512];
	List	   *commands = NIL;
	MemoryContext cxt;
	MemoryContext old;

	pm_server_options(serverOid, &opts);
	ic.plugin = pm_describe_plugin(&opts);
	errcb.callback = pm_import_error_context;
	errcb.arg = &ic;
	errcb.previous = error_context_stack;
	error_context_stack = &errcb;

	/* the stream is freed with this context, on success and on error */
	cxt = AllocSetContextCreate(CurrentMemoryContext, "plugin_manager import",
								ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(cxt);
	{
		PmPluginHandle h;

		stream = pm_request(&opts, &h, "/v1/schema", NULL, &status);
	}
	if (status < 200 || status > 299)
		pm_raise_http_error(stream, status, "the schema request");
	body = pmh_read_all(stream, PM_MAX_SCHEMA_BYTES, &len);
	MemoryContextSwitchTo(old);

	schema = pmp_parse_schema(body, len, err, sizeof(err));
	if (schema == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_SCHEMA_NOT_FOUND),
				 errmsg("plugin sent an invalid schema"),
				 errdetail_internal("%s", err)));
	PG_TRY();
	{
		commands = pm_import_tables(stmt, schema, &opts, &ic);
	}
	PG_FINALLY();
	{
		pmp_free_schema(schema);
	}
	PG_END_TRY();
	MemoryContextDelete(cxt);

	error_context_stack = errcb.previous;
	return commands;
}

/*
 * IMPORT FOREIGN SCHEMA can only return CREATE FOREIGN TABLE commands, so
 * the plugin's descriptions become comments here, once the tables exist.
 */
static void
pm_next_utility(PlannedStmt *pstmt, const char *queryString, bool readOnlyTree,
				ProcessUtilityContext context, ParamListInfo params,
				QueryEnvironment *queryEnv, DestReceiver *dest, QueryCompletion *qc)
{
	if (prev_utility_hook)
		prev_utility_hook(pstmt, queryString, readOnlyTree, context, params,
						  queryEnv, dest, qc);
	else
		standard_ProcessUtility(pstmt, queryString, readOnlyTree, context,
								params, queryEnv, dest, qc);
}

static void
pm_utility_hook(PlannedStmt *pstmt, const char *queryString, bool readOnlyTree,
				ProcessUtilityContext context, ParamListInfo params,
				QueryEnvironment *queryEnv, DestReceiver *dest, QueryCompletion *qc)
{
	Node	   *parsetree = pstmt->utilityStmt;
	ListCell   *lc;

	if (!IsA(parsetree, ImportForeignSchemaStmt))
	{
		pm_next_utility(pstmt, queryString, readOnlyTree, context, params,
						queryEnv, dest, qc);
		return;
	}

	pending_comments = NIL;
	pm_next_utility(pstmt, queryString, readOnlyTree, context, params,
					queryEnv, dest, qc);

	CommandCounterIncrement();
	foreach(lc, pending_comments)
	{
		PmPendingComment *pc = (PmPendingComment *) lfirst(lc);
		char	   *schema = ((ImportForeignSchemaStmt *) parsetree)->local_schema;
		CommentStmt *cs = makeNode(CommentStmt);

		if (pc->column)
		{
			cs->objtype = OBJECT_COLUMN;
			cs->object = (Node *) list_make3(makeString(schema), makeString(pc->table),
											 makeString(pc->column));
		}
		else
		{
			cs->objtype = OBJECT_FOREIGN_TABLE;
			cs->object = (Node *) list_make2(makeString(schema), makeString(pc->table));
		}
		cs->comment = pc->comment;
		CommentObject(cs);
	}
	pending_comments = NIL;
}

void
pm_fdw_init(void)
{
	prev_utility_hook = ProcessUtility_hook;
	ProcessUtility_hook = pm_utility_hook;
}

Datum
pm_fdw_handler(PG_FUNCTION_ARGS)
{
	FdwRoutine *routine = makeNode(FdwRoutine);

	routine->GetForeignRelSize = pmGetForeignRelSize;
	routine->GetForeignPaths = pmGetForeignPaths;
	routine->GetForeignPlan = pmGetForeignPlan;
	routine->BeginForeignScan = pmBeginForeignScan;
	routine->IterateForeignScan = pmIterateForeignScan;
	routine->ReScanForeignScan = pmReScanForeignScan;
	routine->EndForeignScan = pmEndForeignScan;
	routine->ExplainForeignScan = pmExplainForeignScan;
	routine->ImportForeignSchema = pmImportForeignSchema;
	PG_RETURN_POINTER(routine);
}
