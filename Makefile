# git-clmodel build. `make demo` and `make test` install what is missing first (`make deps`), so
# both work the first time on a fresh Debian 12 machine; `make` alone expects the packages there.
# Sources are found by wildcard: a new file under libcore/, parsers/, cmd/ or tests/ needs no edit here.

PREFIX   ?= /usr/local
BUILD    ?= build
GRAMMARS ?= build/grammars
CC       ?= cc

# Asked once, when the Makefile is read: a make that installs the packages cannot use them
# itself, which is why `demo` and `test` run `deps` and then build in a second make.
PKGS      := libgit2 tree-sitter openblas libcurl jansson libpcre2-8 icu-uc
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CMOCKA_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null)

WARN   := -Wall -Wextra $(if $(WERROR),-Werror)
SANITIZERS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
SANFLAGS := $(if $(SAN),$(SANITIZERS))
CFLAGS ?= -O2 -g
ALL_CFLAGS := -std=c11 $(WARN) $(CFLAGS) $(SANFLAGS) -D_GNU_SOURCE -I. -Ilibcore -I$(BUILD)/gen $(PKG_CFLAGS) -MMD -MP
LDLIBS := $(PKG_LIBS) -lm -lpthread

LIB_SRC   := $(shell find libcore parsers -name '*.c' 2>/dev/null | sort)
CMD_SRC   := $(sort $(wildcard cmd/*.c))
TEST_SRC  := $(sort $(wildcard tests/unit/test_*.c))
BENCH_SRC := $(sort $(wildcard tests/bench/*.c))
FUZZ_SRC  := $(sort $(wildcard tests/fuzz/fuzz_*.c))
LIB_OBJ   := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
CMD_OBJ   := $(CMD_SRC:%.c=$(BUILD)/obj/%.o)
TESTS     := $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/%)
BENCHES   := $(BENCH_SRC:tests/bench/%.c=$(BUILD)/bench/%)
REPLAYS   := $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz-replay/%)
GRAMMAR_LIB := $(GRAMMARS)/libgrammars.a
GRAMMAR_HDR := $(BUILD)/gen/clm_grammars.h

.PHONY: all deps pkgs grammars codetask-data test test-run demo-run check-layers check-asan check-leaks check-faults fuzz fuzz-build install demo bench bench-train bench-mine bench-cl bench-llama bench-infer clean
all: $(BUILD)/git-clmodel $(BUILD)/git-clmodel-hook $(BUILD)/libclcore.a

DEB_PKGS := build-essential pkg-config libgit2-dev libtree-sitter-dev libopenblas-dev libcurl4-openssl-dev \
	libcmocka-dev libjansson-dev libpcre2-dev libicu-dev git nginx clang-14 libclang-rt-14-dev chromium curl ca-certificates python3 python3-torch

# apt-get only what is missing, so a second run is quiet and needs no network.
deps:
	@missing=$$(for p in $(DEB_PKGS); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		sudo=; [ "$$(id -u)" = 0 ] || sudo=sudo; \
		echo "deps: installing$$(echo $$missing | sed 's/^/ /')"; \
		$$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq $$missing >/dev/null || exit 1; \
	fi
	@$(MAKE) --no-print-directory -s grammars

grammars: $(GRAMMAR_LIB)

# Every compile waits for this check: without the packages, say what to run instead of failing
# with missing headers or hundreds of undefined references.
pkgs:
	@[ -n "$(PKG_LIBS)" ] || { echo "make: pkg-config does not find all of $(PKGS): run 'make deps' first" \
		"('make demo' and 'make test' do)" >&2; exit 1; }

$(GRAMMARS)/.fetched: parsers/grammars.lock parsers/fetch-grammars.sh
	sh parsers/fetch-grammars.sh parsers/grammars.lock $(GRAMMARS)
	@touch $@

# Each grammar compiles against its own src/ (its own tree_sitter/parser.h); Debian's is too old.
$(GRAMMAR_LIB): $(GRAMMARS)/.fetched parsers/grammar-objects.sh
	@mkdir -p $(GRAMMARS)/obj
	@sh parsers/grammar-objects.sh parsers/grammars.lock $(GRAMMARS) | while read -r name ver src; do \
		for f in parser scanner; do \
			[ -f $$src/$$f.c ] || continue; \
			obj=$(GRAMMARS)/obj/$$name-$$f.o; \
			[ $$obj -nt $$src/$$f.c ] && continue; \
			echo "  CC $$name/$$f.c"; \
			$(CC) -std=c11 -O2 -g0 -w -fPIC -I$$src -c $$src/$$f.c -o $$obj || exit 1; \
		done; \
	done
	@ar rcs $@.$$$$ $(GRAMMARS)/obj/*.o && mv $@.$$$$ $@

$(GRAMMAR_HDR): parsers/grammars.lock parsers/grammar-objects.sh
	@mkdir -p $(dir $@)
	@sh parsers/grammar-objects.sh parsers/grammars.lock $(GRAMMARS) | \
		awk 'BEGIN { print "/* generated from parsers/grammars.lock */" } \
		{ printf "#define CLM_GRAMMAR_VERSION_%s \"%s\"\n", toupper($$1), $$2 }' > $@

$(BUILD)/obj/%.o: %.c | $(GRAMMAR_HDR) pkgs
	@mkdir -p $(dir $@)
	@echo "  CC $<"
	@$(CC) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/libclcore.a: $(LIB_OBJ)
	@rm -f $@ && ar rcs $@ $^

$(BUILD)/git-clmodel: $(CMD_OBJ) $(BUILD)/libclcore.a $(GRAMMAR_LIB)
	@echo "  LD $@"
	@$(CC) $(SANFLAGS) -o $@ $(CMD_OBJ) $(BUILD)/libclcore.a $(GRAMMAR_LIB) $(LDLIBS)

# The hooks' binary links only what a manifest check needs (no OpenBLAS, no libcurl): it runs on
# every pull and branch switch, and must start fast.
HOOK_LIBS := $(shell pkg-config --libs libgit2 tree-sitter jansson libpcre2-8 2>/dev/null) -lm -lpthread
$(BUILD)/git-clmodel-hook: $(BUILD)/obj/cmd/hook-check/main.o $(BUILD)/libclcore.a $(GRAMMAR_LIB)
	@echo "  LD $@"
	@$(CC) $(SANFLAGS) -o $@ $< $(BUILD)/libclcore.a $(GRAMMAR_LIB) $(HOOK_LIBS)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libclcore.a $(GRAMMAR_LIB) tests/unit/test_helpers.h
	@mkdir -p $(dir $@)
	@echo "  CC $<"
	@$(CC) $(ALL_CFLAGS) -MF $@.d -o $@ $< $(BUILD)/libclcore.a $(GRAMMAR_LIB) $(LDLIBS) $(CMOCKA_LIBS)

$(BUILD)/bench/%: tests/bench/%.c $(BUILD)/libclcore.a $(GRAMMAR_LIB)
	@mkdir -p $(dir $@)
	@echo "  CC $<"
	@$(CC) $(ALL_CFLAGS) -MF $@.d -o $@ $< $(BUILD)/libclcore.a $(GRAMMAR_LIB) $(LDLIBS)

# The fuzz harnesses without libFuzzer: `make test` replays their seeds and past crash inputs.
$(BUILD)/fuzz-replay/%: tests/fuzz/%.c tests/fuzz/replay_main.c tests/fuzz/fuzz.h $(BUILD)/libclcore.a $(GRAMMAR_LIB)
	@mkdir -p $(dir $@)
	@echo "  CC $<"
	@$(CC) $(filter-out -MMD -MP,$(ALL_CFLAGS)) -o $@ $< tests/fuzz/replay_main.c $(BUILD)/libclcore.a $(GRAMMAR_LIB) $(LDLIBS)

# The README's two commands: install what is missing, then build and run in a second make, which
# reads this Makefile again and so finds the packages just installed (see PKGS above).
test demo:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory $@-run

test-run: all $(TESTS) $(REPLAYS) codetask-data
	@BUILD=$(BUILD) CLM_GRAMMARS=$(abspath $(GRAMMARS)) sh tests/run.sh

# The CodeTask benchmark data as `bench codetask --data` reads it: tests/data/codetask with the
# files stored compressed (larger than 2 MB) unpacked.
CODETASK := $(BUILD)/data/codetask
CODETASK_FILES := $(patsubst tests/data/codetask/%,$(CODETASK)/%,$(patsubst %.gz,%,\
	$(wildcard tests/data/codetask/*/*.jsonl tests/data/codetask/*/*.jsonl.gz)))
codetask-data: $(CODETASK_FILES)

$(CODETASK)/%.jsonl: tests/data/codetask/%.jsonl.gz
	@mkdir -p $(dir $@)
	@gzip -dc $< > $@.tmp && mv $@.tmp $@

$(CODETASK)/%.jsonl: tests/data/codetask/%.jsonl
	@mkdir -p $(dir $@)
	@cp $< $@

# Includes follow ARCHITECTURE.md's layer table (tests/run.sh runs this too, as a suite).
check-layers:
	@sh tests/check-layers.sh

# Known leaks inside Debian's libraries (not ours) are listed, each with its reason, in tests/lsan.supp.
LSAN_ENV := LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0

check-asan:
	@$(LSAN_ENV) $(MAKE) --no-print-directory BUILD=build/asan SAN=1 CFLAGS="-O1 -g" test-run

# Integration tests with the ASan build's binary and LeakSanitizer on: every report of every
# command goes to build/asan/leaks/, and any report fails the target (zero leaks).
check-leaks:
	@$(MAKE) --no-print-directory BUILD=build/asan SAN=1 CFLAGS="-O1 -g" all codetask-data $(REPLAYS:$(BUILD)/%=build/asan/%)
	@rm -rf build/asan/leaks && mkdir -p build/asan/leaks
	@$(LSAN_ENV) BUILD=build/asan CLM_TESTS='t*' CLM_GRAMMARS=$(abspath $(GRAMMARS)) ASAN_OPTIONS=detect_leaks=1:log_path=$(CURDIR)/build/asan/leaks/report \
		sh tests/run.sh; rc=$$?; \
	if ls build/asan/leaks | grep -q .; then \
		echo "check-leaks: sanitizer reports:"; grep -h -A12 'ERROR' build/asan/leaks/* | head -80; exit 1; fi; \
	exit $$rc

# The suite with the slow fault loops (50 kill -9 iterations and more); `make test` runs lighter ones.
check-faults: all $(TESTS) $(REPLAYS) codetask-data
	@BUILD=$(BUILD) CLM_GRAMMARS=$(abspath $(GRAMMARS)) CLM_FAULTS_FULL=1 sh tests/run.sh

# libFuzzer: the library again with clang and sanitizers in build/fuzz, one binary per harness;
# `make fuzz FUZZ_SECONDS=N` runs each for N seconds on its seeds and fails on any crash.
FUZZ_CC      ?= clang-14
FUZZ_SECONDS ?= 20
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZERS      := $(FUZZ_SRC:tests/fuzz/%.c=build/fuzz/%)

fuzz-build:
	@$(MAKE) --no-print-directory BUILD=build/fuzz CC=$(FUZZ_CC) CFLAGS="-O1 -g" \
		SANFLAGS="$(FUZZ_SAN) -fsanitize=fuzzer-no-link" $(FUZZERS)

build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h build/fuzz/libclcore.a $(GRAMMAR_LIB)
	@echo "  CC $<"
	@$(CC) $(ALL_CFLAGS) -fsanitize=fuzzer -MF $@.d -o $@ $< build/fuzz/libclcore.a $(GRAMMAR_LIB) $(LDLIBS)

fuzz: fuzz-build
	@sh tests/fuzz/run.sh build/fuzz $(FUZZ_SECONDS)

bench: all $(BENCHES) codetask-data
	@BUILD=$(BUILD) sh tests/bench/run.sh all

bench-train: all $(BENCHES)
	@BUILD=$(BUILD) sh tests/bench/run.sh train

bench-mine: all $(BENCHES)
	@BUILD=$(BUILD) REPO=$(REPO) sh tests/bench/run.sh mine

bench-cl: all $(BENCHES) codetask-data
	@BUILD=$(BUILD) sh tests/bench/run.sh cl

bench-llama: all $(BENCHES)
	@BUILD=$(BUILD) sh tests/bench/run.sh llama

# Inference against llama.cpp on a Qwen2.5-Coder-0.5B-shaped model (F32, Q8_0, Q4_K; writes ~3 GB
# of GGUF files under build/bench-infer once).
bench-infer: all $(BENCHES)
	@BUILD=$(BUILD) sh tests/bench/run.sh infer

demo-run: all
	@BUILD=$(BUILD) sh fixtures/demo.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/git-clmodel/hooks
	install -m 755 $(BUILD)/git-clmodel $(BUILD)/git-clmodel-hook $(DESTDIR)$(PREFIX)/bin/
	install -m 644 man/*.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 755 hooks/* $(DESTDIR)$(PREFIX)/share/git-clmodel/hooks/
	install -m 644 share/git-clmodel/train_ddp.py $(DESTDIR)$(PREFIX)/share/git-clmodel/

clean:
	rm -rf $(BUILD)/obj $(BUILD)/tests $(BUILD)/bench $(BUILD)/gen $(BUILD)/data $(BUILD)/asan $(BUILD)/fuzz-replay build/fuzz $(BUILD)/git-clmodel $(BUILD)/libclcore.a

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
