# hourseal - signed continuing-education hour certificates.
#
#   make            build hourseal-issuer and hourseal-verifier
#   make test       build and run every test (SAN=1: with ASan and UBSan)
#   make demo       sample data, certificates, verifier on 127.0.0.1:8080
#   make bench      benchmarks; results in bench/results.md
#
# Missing Debian packages are installed by scripts/deps.sh.

CC      ?= cc
PREFIX  ?= /usr/local
DESTDIR ?=
PKGS     = openssl sqlite3 jansson harfbuzz harfbuzz-subset libqrencode \
	   libmicrohttpd libqpdf zlib libdeflate

ifeq ($(SAN),1)
VARIANT  = san
OPT      = -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
	   -fno-sanitize-recover=undefined
else
VARIANT  = release
OPT      = -O2 -g
endif

B        = build/$(VARIANT)
WARN     = -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter
CFLAGS  ?=
LDFLAGS ?=
ALL_CFLAGS  = -std=c11 -D_GNU_SOURCE -DHS_TEMPLATES_DIR=\"$(CURDIR)/templates\" $(OPT) $(WARN) -Ilib \
	      $(PKG_CFLAGS) $(CFLAGS)
ALL_LDFLAGS = $(OPT) $(LDFLAGS)
LIBS        = $(PKG_LIBS) -lhpdf -lm -lpthread

.DEFAULT_GOAL := all

# Flags come from pkg-config, after scripts/deps.sh made sure the packages
# are there. build/config.mk is regenerated when missing; make re-reads it.
-include build/config.mk
build/config.mk: scripts/deps.sh Makefile
	@pkg-config --exists $(PKGS) && [ -f /usr/include/hpdf.h ] || \
		scripts/deps.sh build
	@mkdir -p build
	@{ echo "PKG_CFLAGS = $$(pkg-config --cflags $(PKGS))"; \
	   echo "PKG_LIBS = $$(pkg-config --libs $(PKGS))"; } > $@

LIB_SRC      = $(wildcard lib/*/*.c)
ISSUER_SRC   = $(wildcard issuer/*.c)
VERIFIER_SRC = $(wildcard verifier/*.c)
UNIT_SRC     = $(wildcard tests/unit/test_*.c)

LIB_OBJ      = $(LIB_SRC:%.c=$(B)/%.o)
ISSUER_OBJ   = $(ISSUER_SRC:%.c=$(B)/%.o)
# The verifier's non-main objects are linkable into its tests.
VERIFIER_OBJ = $(VERIFIER_SRC:%.c=$(B)/%.o)
VLIB_OBJ     = $(filter-out $(B)/verifier/main.o,$(VERIFIER_OBJ))
UNIT_BIN     = $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)

ISSUER   = $(B)/hourseal-issuer
VERIFIER = $(B)/hourseal-verifier

.PHONY: all deps test demo bench clean install fuzz
all: $(ISSUER) $(VERIFIER) $(UNIT_BIN)
ifneq ($(SAN),1)
	@ln -sf $(ISSUER) hourseal-issuer
	@ln -sf $(VERIFIER) hourseal-verifier
endif

deps:
	scripts/deps.sh build

$(B)/libhourseal.a: $(LIB_OBJ)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(B)/%.o: %.c build/config.mk $(wildcard lib/*.h issuer/*.h verifier/*.h)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(ISSUER): $(ISSUER_OBJ) $(B)/libhourseal.a
	$(CC) $(ALL_LDFLAGS) -o $@ $(ISSUER_OBJ) $(B)/libhourseal.a $(LIBS)

$(VERIFIER): $(VERIFIER_OBJ) $(B)/libhourseal.a
	$(CC) $(ALL_LDFLAGS) -o $@ $(VERIFIER_OBJ) $(B)/libhourseal.a $(LIBS)

$(B)/tests/%: tests/unit/%.c tests/unit/t.h $(VLIB_OBJ) $(B)/libhourseal.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Iverifier -o $@ $< $(VLIB_OBJ) $(B)/libhourseal.a \
		$(LIBS)

test: all
	@scripts/deps.sh test
	@tests/run.sh $(B)

demo: all
	@scripts/deps.sh demo
	@tests/demo.sh $(B)

bench: all
	@scripts/deps.sh bench
	@tests/bench/run.sh $(B)

install: all
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(ISSUER) $(VERIFIER) $(DESTDIR)$(PREFIX)/bin/

clean:
	rm -rf build hourseal-issuer hourseal-verifier
