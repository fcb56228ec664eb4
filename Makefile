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
	   libzip libxml-2.0 xlsxwriter zbar libpng libjpeg \
	   libmicrohttpd libqpdf zlib libdeflate p11-kit-1

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
LIBS        = $(PKG_LIBS) -lsodium -lhpdf -lm -lpthread

.DEFAULT_GOAL := all

# Flags come from pkg-config, after scripts/deps.sh made sure the packages
# are there. build/config.mk is regenerated when missing; make re-reads it.
-include build/config.mk
build/config.mk: scripts/deps.sh Makefile
	@pkg-config --exists $(PKGS) && [ -f /usr/include/hpdf.h ] && \
		[ -f /usr/include/sodium.h ] || \
		scripts/deps.sh build
	@mkdir -p build
	@{ echo "PKG_CFLAGS = $$(pkg-config --cflags $(PKGS))"; \
	   echo "PKG_LIBS = $$(pkg-config --libs $(PKGS))"; } > $@

LIB_SRC      = $(wildcard lib/*/*.c)
ISSUER_SRC   = $(wildcard issuer/*.c)
VERIFIER_SRC = $(wildcard verifier/*.c)
UNIT_SRC     = $(wildcard tests/unit/test_*.c)
# The unit tests' helper library: every .c in tests/unit/ but the tests.
TLIB_SRC     = $(filter-out $(UNIT_SRC),$(wildcard tests/unit/*.c))

LIB_OBJ      = $(LIB_SRC:%.c=$(B)/%.o)
ISSUER_OBJ   = $(ISSUER_SRC:%.c=$(B)/%.o)
# The verifier's non-main objects are linkable into its tests.
VERIFIER_OBJ = $(VERIFIER_SRC:%.c=$(B)/%.o)
VLIB_OBJ     = $(filter-out $(B)/verifier/main.o,$(VERIFIER_OBJ))
UNIT_BIN     = $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
UNIT_OBJ     = $(UNIT_SRC:%.c=$(B)/%.o)
TLIB_OBJ     = $(TLIB_SRC:%.c=$(B)/%.o)

ISSUER   = $(B)/hourseal-issuer
VERIFIER = $(B)/hourseal-verifier

# The operator's languages (lib/core/i18n.h): po/LANG.po, compiled into
# the build tree's locale/, where the binaries beside it find them.
LOCALEDIR ?= $(PREFIX)/share/locale
LINGUAS   = zh_CN
MO        = $(LINGUAS:%=$(B)/locale/%/LC_MESSAGES/hourseal.mo)

.PHONY: all deps test demo bench clean install uninstall fuzz layers po
all: $(ISSUER) $(VERIFIER) $(UNIT_BIN) $(MO)
ifneq ($(SAN),1)
	@ln -sf $(ISSUER) hourseal-issuer
	@ln -sf $(VERIFIER) hourseal-verifier
endif

deps:
	scripts/deps.sh build

$(B)/libhourseal.a: $(LIB_OBJ)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

# Header dependencies come from the compiler (-MMD -MP): editing a header
# rebuilds exactly what includes it.
$(B)/%.o: %.c build/config.mk
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(B)/lib/core/i18n.o: ALL_CFLAGS += -DHS_LOCALEDIR=\"$(LOCALEDIR)\"

$(B)/locale/%/LC_MESSAGES/hourseal.mo: po/%.po
	@mkdir -p $(@D)
	msgfmt --check -o $@ $<

# Refreshes po/hourseal.pot from the sources and merges it into each
# po/LANG.po (then translate what is new; docs/i18n.md).
po:
	scripts/po.sh update $(LINGUAS)

$(ISSUER): $(ISSUER_OBJ) $(B)/libhourseal.a
	$(CC) $(ALL_LDFLAGS) -o $@ $(ISSUER_OBJ) $(B)/libhourseal.a $(LIBS)

$(VERIFIER): $(VERIFIER_OBJ) $(B)/libhourseal.a
	$(CC) $(ALL_LDFLAGS) -o $@ $(VERIFIER_OBJ) $(B)/libhourseal.a $(LIBS)

# Unit tests compile to objects (tests/unit/ sees the verifier's headers)
# and link with the helpers (tests/unit/tlib.c, vfix.c), compiled once
# into libtest.a: editing a helper's header recompiles the helper and the
# tests that include it, and relinks the rest.
$(UNIT_OBJ) $(TLIB_OBJ): ALL_CFLAGS += -Iverifier

$(B)/tests/libtest.a: $(TLIB_OBJ)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(UNIT_BIN): $(B)/tests/%: $(B)/tests/unit/%.o $(B)/tests/libtest.a \
		$(VLIB_OBJ) $(B)/libhourseal.a
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(B)/tests/libtest.a $(VLIB_OBJ) \
		$(B)/libhourseal.a $(LIBS)

# Every #include in lib/ names a layer at or below its own (design §1).
layers:
	@scripts/layers.sh

test: all layers
	@scripts/deps.sh test
	@tests/run.sh $(B)

demo: all
	@scripts/deps.sh demo
	@tests/demo.sh $(B)

bench: all
	@scripts/deps.sh bench
	@tests/bench/run.sh $(B)

# libFuzzer targets (clang, ASan, UBSan): FUZZ_SECONDS each, findings in
# build/fuzz/. FUZZ_TARGETS="fuzz_note fuzz_pdfin" runs only those.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?=
fuzz:
	@scripts/deps.sh test
	tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# The binaries find PREFIX/share/hourseal/templates beside themselves
# (path_templates in lib/core/util.c); the templates name their fonts.
SHARE = $(DESTDIR)$(PREFIX)/share/hourseal
install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(SHARE)/templates/policy
	install -m 0755 $(ISSUER) $(VERIFIER) $(DESTDIR)$(PREFIX)/bin/
	install -m 0644 templates/*.json templates/README.md $(SHARE)/templates/
	install -m 0644 templates/policy/*.json $(SHARE)/templates/policy/
	for l in $(LINGUAS); do \
		install -d $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES && \
		install -m 0644 $(B)/locale/$$l/LC_MESSAGES/hourseal.mo \
		    $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES/ || exit 1; \
	done

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/hourseal-issuer \
		$(DESTDIR)$(PREFIX)/bin/hourseal-verifier
	rm -rf $(SHARE)
	for l in $(LINGUAS); do \
		rm -f $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES/hourseal.mo; \
	done

-include $(LIB_OBJ:.o=.d) $(ISSUER_OBJ:.o=.d) $(VERIFIER_OBJ:.o=.d) \
	$(UNIT_OBJ:.o=.d) $(TLIB_OBJ:.o=.d)

clean:
	rm -rf build hourseal-issuer hourseal-verifier
