# hardrun — hardened OCI runtime.  `make help` lists the targets.

PREFIX      ?= /usr/local
BINDIR      ?= $(PREFIX)/bin
LIBEXECDIR  ?= $(PREFIX)/libexec
DATADIR     ?= $(PREFIX)/share
MANDIR      ?= $(DATADIR)/man
COMPLETIONDIR ?= $(DATADIR)/bash-completion/completions
SYSCONFDIR  ?= /etc
DESTDIR     ?=
VERSION     := 0.1.0

CC          ?= gcc
PKG_CONFIG  ?= pkg-config
PKGS        := libseccomp libcap libapparmor libselinux yajl
SANITIZE    ?=

WARN := -Wall -Wextra -Wno-unused-parameter \
	-Werror=shadow -Werror=strict-prototypes -Werror=missing-prototypes \
	-Werror=implicit-function-declaration -Werror=pointer-arith -Werror=format=2 \
	-Werror=incompatible-pointer-types -Werror=int-conversion -Werror=return-type

CFLAGS  ?= -O2 -g
CFLAGS  += -std=gnu17 $(WARN) -D_GNU_SOURCE -D_FORTIFY_SOURCE=3 -fstack-protector-strong \
	   -fno-strict-aliasing -Iinclude -DHARDRUN_VERSION='"$(VERSION)"' \
	   -DHARDRUN_DATADIR='"$(DATADIR)/hardrun"' -DHARDRUN_LIBEXECDIR='"$(LIBEXECDIR)/hardrun"'
CFLAGS  += $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
LDLIBS  += $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)

ifneq ($(SANITIZE),)
CFLAGS  += -fsanitize=$(SANITIZE) -fno-sanitize-recover=all -fno-omit-frame-pointer -U_FORTIFY_SOURCE
LDFLAGS += -fsanitize=$(SANITIZE)
endif

B ?= build
LIB_SRC  := $(filter-out shim/main.c shim/monitor/main.c,$(wildcard shim/*.c shim/monitor/*.c))
LIB_OBJ  := $(LIB_SRC:%.c=$(B)/%.o)
MAIN_OBJ := $(B)/shim/main.o
TEST_SRC := $(wildcard tests/check_*.c)
TEST_BIN := $(TEST_SRC:tests/%.c=$(B)/tests/%)
FMT_SRC   = $(wildcard shim/*.c shim/monitor/*.c include/hardrun/*.h tests/*.c tests/*.h bench/*.c fuzz/*.c)

.PHONY: all deps check unit integration integration-vm bench demo fmt fmt-check install \
	uninstall clean help fuzz dist

all: hardrun hardrun-monitor ## build the hardrun binary (and its monitor)

Q := $(if $(V),,@)

# hardrun runs on every runtime call, so it is linked fully static: no
# dynamic loader, no relocations, no shared-library lookups at each call (it
# uses no NSS).  Static helper libraries alone saved about 1 ms a call, a
# static glibc another 1-2 ms on the test machine (bench/start.bench.sh).
# Sanitizer builds link everything shared.
HARDRUN_STATIC := $(if $(SANITIZE),,-static)
HARDRUN_LDLIBS := $(if $(SANITIZE),$(LDLIBS),-lseccomp -lcap -lapparmor -lselinux -lpcre2-8 -lyajl_s)

hardrun: $(MAIN_OBJ) $(B)/libhardrun.a
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) $(HARDRUN_STATIC) -o $@ $^ $(HARDRUN_LDLIBS)

# The per-container monitor on its own, static unless sanitizing: only libseccomp
# and yajl, no libcap/libapparmor/libselinux/pcre2 mapped (RSS per container).
MON_OBJ    := $(B)/shim/monitor/main.o
MON_STATIC := $(if $(SANITIZE),,-static)
MON_LDLIBS := $(if $(SANITIZE),-lseccomp -lyajl,-lseccomp -lyajl_s)
hardrun-monitor: $(MON_OBJ) $(B)/libhardrun.a
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) $(MON_STATIC) -o $@ $^ $(MON_LDLIBS)

$(B)/libhardrun.a: $(LIB_OBJ)
	@rm -f $@
	$(Q)$(AR) rcs $@ $^

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

$(B)/tests/%: tests/%.c $(B)/libhardrun.a
	@mkdir -p $(dir $@)
	@echo "  TEST-CC $<"
	$(Q)$(CC) $(CFLAGS) -Itests $(LDFLAGS) -o $@ $< $(B)/libhardrun.a $(LDLIBS) \
		$(shell $(PKG_CONFIG) --cflags --libs check)

-include $(LIB_OBJ:.o=.d) $(MAIN_OBJ:.o=.d) $(MON_OBJ:.o=.d)

deps: ## install (idempotently) every package build, tests, demo and bench need
	./.ci/deps.sh

unit: $(TEST_BIN) ## run the Check unit tests
	@fail=0; for t in $(TEST_BIN); do \
		HARDRUN_TEST_DATA=$(CURDIR)/tests/data $$t || fail=1; done; exit $$fail

integration: hardrun hardrun-monitor ## run the bats integration suites against real runc/containerd/podman
	HARDRUN=$(CURDIR)/hardrun bats --print-output-on-failure integration/

integration-vm: hardrun ## AppArmor + SELinux suites in a qemu (TCG) VM booting Debian's kernel
	HARDRUN=$(CURDIR)/hardrun ./integration/vm/run.sh

check: deps ## deps + unit + integration (the README's test command)
	$(MAKE) unit
	$(MAKE) integration

bench: hardrun hardrun-monitor ## benchmarks, printed as ratios against runc / crun / unconfined
	HARDRUN=$(CURDIR)/hardrun ./bench/run.sh

demo: deps ## the built-in example: a busybox container hardened, learned, enforced
	$(MAKE) hardrun
	HARDRUN=$(CURDIR)/hardrun ./integration/demo.sh

fmt: ## format the C sources in place
	clang-format -i $(FMT_SRC)

fmt-check: ## fail if any C source is not formatted
	@clang-format --dry-run --Werror $(FMT_SRC)

install: hardrun hardrun-monitor ## install binaries, profiles, node config (PREFIX, DESTDIR)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/hardrun/profiles
	install -m 0755 hardrun $(DESTDIR)$(BINDIR)/hardrun
	install -d $(DESTDIR)$(LIBEXECDIR)/hardrun
	install -m 0755 hardrun-monitor $(DESTDIR)$(LIBEXECDIR)/hardrun/hardrun-monitor
	install -m 0644 profiles/*.json $(DESTDIR)$(DATADIR)/hardrun/profiles/
	@# deploy (issue 6): man pages, bash completion, node config (an existing one is kept)
	install -d $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(COMPLETIONDIR) $(DESTDIR)$(SYSCONFDIR)/hardrun/profiles
	install -m 0644 man/hardrun.8 $(DESTDIR)$(MANDIR)/man8/
	install -m 0644 man/hardrun-profile.5 man/hardrun.conf.5 $(DESTDIR)$(MANDIR)/man5/
	install -m 0644 deploy/bash-completion/hardrun $(DESTDIR)$(COMPLETIONDIR)/hardrun
	test -e $(DESTDIR)$(SYSCONFDIR)/hardrun/config.json || \
		sed 's|/usr/share/hardrun/profiles|$(DATADIR)/hardrun/profiles|' deploy/config.json \
		> $(DESTDIR)$(SYSCONFDIR)/hardrun/config.json

uninstall: ## remove what install laid out
	rm -f $(DESTDIR)$(BINDIR)/hardrun
	rm -rf $(DESTDIR)$(LIBEXECDIR)/hardrun
	rm -rf $(DESTDIR)$(DATADIR)/hardrun
	rm -f $(DESTDIR)$(MANDIR)/man8/hardrun.8 $(DESTDIR)$(MANDIR)/man5/hardrun-profile.5 \
		$(DESTDIR)$(MANDIR)/man5/hardrun.conf.5 $(DESTDIR)$(COMPLETIONDIR)/hardrun

dist: ## release tarball hardrun-$(VERSION).tar.gz of the committed tree (git archive HEAD)
	git archive --format=tar.gz --prefix=hardrun-$(VERSION)/ -o hardrun-$(VERSION).tar.gz HEAD

clean: ## remove build outputs
	rm -rf $(B) hardrun hardrun-monitor

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 16

# ---- fuzzing: libFuzzer over what hardrun reads from others (fuzz/fuzz_input.c:
# the first byte picks profile, annotations, recording or spec) ----
FUZZ_TIME ?= 120
FUZZ_SRC  := $(LIB_SRC)
FUZZ_BIN  := $(B)/fuzz/fuzz_input
$(FUZZ_BIN): fuzz/fuzz_input.c $(FUZZ_SRC)
	@mkdir -p $(dir $@)
	clang -g -O1 -std=gnu17 -D_GNU_SOURCE -Iinclude -DHARDRUN_VERSION='"$(VERSION)"' \
		-DHARDRUN_DATADIR='"$(DATADIR)/hardrun"' $(shell $(PKG_CONFIG) --cflags $(PKGS)) \
		-fsanitize=fuzzer,address,undefined -o $@ $^ $(LDLIBS)

# seeds: each input prefixed with its reader's byte
fuzz: $(FUZZ_BIN) ## fuzz profile, annotation, recording and spec readers for FUZZ_TIME seconds
	@mkdir -p fuzz/out/corpus
	@for f in profiles/*.json tests/data/docker-default.json; do \
		{ printf '\000'; cat "$$f"; } >fuzz/out/corpus/seed-profile-$$(basename $$f); done
	@jq -c '.sandbox, .container' tests/data/cri/containerd-1.6.json \
		2>/dev/null | split -l 1 - fuzz/out/corpus/.ann- || true
	@for f in fuzz/out/corpus/.ann-*; do [ -e "$$f" ] || continue; \
		{ printf '\001'; cat "$$f"; } >fuzz/out/corpus/seed-annotations-$${f##*-}; \
		rm -f "$$f"; done
	@{ printf '\001'; echo '{"profile.hardrun.io/POD":"baseline","mode.hardrun.io/POD":"audit"}'; } \
		>fuzz/out/corpus/seed-annotations-plain
	@for f in tests/data/recordings/web/*.json; do \
		{ printf '\002'; cat "$$f"; } >fuzz/out/corpus/seed-recording-$$(basename $$f); done
	@for f in tests/data/launch/*.json; do \
		{ printf '\003'; cat "$$f"; } >fuzz/out/corpus/seed-spec-$$(basename $$f); done
	LSAN_OPTIONS=suppressions=$(CURDIR)/fuzz/lsan.supp $(FUZZ_BIN) -max_total_time=$(FUZZ_TIME) -max_len=65536 -print_final_stats=1 \
		-artifact_prefix=fuzz/out/ fuzz/out/corpus
