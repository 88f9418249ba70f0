# plugin_manager: PGXS build of the extension, plus the plugin SDK and the
# bundled plugins (plugins/, a plain Makefile of its own).

MODULE_big = plugin_manager
OBJS = $(patsubst %.c,%.o,$(sort $(wildcard fdw/*.c)))
PGFILEDESC = "plugin_manager - query live systems through plugins"

EXTENSION = plugin_manager
DATA = sql/plugin_manager--1.0.sql

PG_CONFIG ?= /usr/lib/postgresql/15/bin/pg_config
PKG_DEPS = libcurl jansson
PG_CPPFLAGS = -I$(srcdir)/fdw $(shell pkg-config --cflags $(PKG_DEPS))
SHLIB_LINK = $(shell pkg-config --libs $(PKG_DEPS))

# Suites, run against a live server (see test/run_tests.sh).
REGRESS = setup admin names privileges fdw_options fdw_scan fdw_errors fdw_types
REGRESS_OPTS = --inputdir=. --outputdir=.
ISOLATION = concurrent_start stop_race
ISOLATION_OPTS = --inputdir=test/isolation --outputdir=output_iso --load-extension=plugin_manager

PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

PLUGIN_DIR = $(pkglibdir)/plugin_manager

.PHONY: plugins install-plugins
all: plugins
# WITH_PLUGINS=no builds the extension alone
WITH_PLUGINS ?= yes
plugins:
	@if [ "$(WITH_PLUGINS)" = yes ] && [ -f plugins/Makefile ]; then $(MAKE) -C plugins all; fi
install: install-plugins
install-plugins: plugins
	$(MKDIR_P) '$(DESTDIR)$(PLUGIN_DIR)'
	@if [ "$(WITH_PLUGINS)" = yes ] && [ -f plugins/Makefile ]; then $(MAKE) -C plugins install PLUGIN_DIR='$(PLUGIN_DIR)'; fi
