# SPDX-License-Identifier: GPL-2.0
#
# mmapport - port in-tree ->mmap handlers to ->mmap_prepare.
#
#   make          build bin/mmapport
#   make deps     install what is missing (Debian packages; sparse from source if needed)
#   make run      deps, build, fetch the default kernel tree, run the whole pipeline
#   make check    deps, build, run the test suite (TAP, under prove)
#   make bench    the exhaustive runs and the timing ratios
#   make replay   upstream's hand ports from OLD_KVER to KVER against mmapport's
#   make bench-arch  the per-architecture check, timed against a bare make

CC       ?= gcc
CFLAGS   ?= -O2 -g
CFLAGS   += -std=gnu11 -Wall -Wextra -Wno-unused-parameter -Wno-sign-compare \
            $(shell pkg-config --cflags jansson 2>/dev/null)
LDLIBS   += $(shell pkg-config --libs jansson 2>/dev/null || echo -ljansson)
# The analyzer (tools/analyzer/) is on libclang 16, Debian's libclang-16-dev.
LLVM_DIR ?= /usr/lib/llvm-16
CFLAGS   += -I$(LLVM_DIR)/include
LDLIBS   += -L$(LLVM_DIR)/lib -lclang-16

# Kernel tree: KERNEL=/path uses the user's own; otherwise Debian's newest
# linux-source-$(KVER).* is fetched once into the cache.
KVER     ?= 7
OUT      ?= $(CURDIR)/out
PATHS    ?=
JOBS     ?= $(shell nproc)
# EXTERNAL=DIR: the older tree the kept old code is built against
# (COMPAT_KERNEL=/path, or Debian's linux-source-$(COMPAT_KVER).*; COMPAT_KVER= : none)
COMPAT_KVER ?= 6.12
# make replay: the older tree (OLD_KERNEL=/path, or Debian's linux-source-$(OLD_KVER).*)
OLD_KVER ?= 6.12
REPLAY_OUT ?= $(CURDIR)/out-replay
REPLAY_ARCHES ?= x86_64
# Architecture profiles (arch/NAME.conf) to check on: "all" or a list.
# make check needs only its own few cross compilers.
ARCHES   ?= all
# API profile to convert for: empty (detected from the tree), rfc or mainline.
API      ?=
CHECK_ARCHES := x86_64,sparc64,powerpc,powerpc64
# make check runs two test files at a time (most of a test is one process:
# spatch, libclang, git), the longest first, so that the two end together.
# (as measured: make check's own times, longest first; the others after)
TESTS_FIRST := tests/30-e2e.t tests/40-arch.t tests/10-cases.t tests/40-coccicheck.t \
	tests/52-configure.t tests/50-external.t tests/45-state-tree.t \
	tests/45-io-remap-gap.t tests/41-cocci-facts.t tests/51-dkms.t
TESTS    := $(TESTS_FIRST) $(filter-out $(TESTS_FIRST),$(sort $(wildcard tests/*.t)))

SRCS     := $(wildcard tools/*.c tools/analyzer/*.c)
OBJS     := $(patsubst tools/%.c,build/obj/%.o,$(SRCS))

all: bin/mmapport

bin/mmapport: $(OBJS)
	@mkdir -p bin
	$(CC) $(CFLAGS) -o $@ $(OBJS) $(LDLIBS)

# a stage linked with every object but the command's main() (tests/49-stage-alone.t)
build/stage-main: tests/lib/stage-main.c $(filter-out build/obj/mmapport.o,$(OBJS))
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

build/obj/%.o: tools/%.c $(wildcard tools/*.h tools/analyzer/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

deps:
	tools/deps.sh

tree:
	@tools/tree.sh "$(KERNEL)" "$(KVER)"

run: deps all
	tree=$$(tools/tree.sh "$(KERNEL)" "$(KVER)") && \
	$(if $(and $(EXTERNAL),$(COMPAT_KVER)),compat=$$(tools/tree.sh "$(COMPAT_KERNEL)" "$(COMPAT_KVER)") &&) \
	tools/deps.sh --tree "$$tree" --arch $(ARCHES) && \
	bin/mmapport run --tree "$$tree" --out "$(OUT)" --arch $(ARCHES) $(if $(PATHS),--paths $(PATHS)) \
		$(if $(EXTERNAL),--external $(EXTERNAL)) $(if $(API),--api $(API)) \
		$(if $(and $(EXTERNAL),$(COMPAT_KVER)),--compat-tree "$$compat")

# upstream's hand ports as the regression test (docs/replay.md)
replay: deps all
	old=$$(tools/tree.sh "$(OLD_KERNEL)" "$(OLD_KVER)") && \
	new=$$(tools/tree.sh "$(KERNEL)" "$(KVER)") && \
	tools/deps.sh --tree "$$new" --arch $(REPLAY_ARCHES) && \
	bin/mmapport replay --old "$$old" --new "$$new" --out "$(REPLAY_OUT)" --arch $(REPLAY_ARCHES)

check: deps all
	tools/deps.sh --arch $(CHECK_ARCHES)
	prove -j2 -v --timer $(TESTS)

# The timing goals: classify against one plain clang pass (bench-classify),
# the check stage per architecture against a bare make (bench-arch); and
# every rule alone under the kernel's make coccicheck on the whole tree.
bench: bench-classify bench-arch bench-mutants bench-coccicheck

bench-arch: deps all
	tree=$$(tools/tree.sh "$(KERNEL)" "$(KVER)") && \
	tools/deps.sh --tree "$$tree" --arch $(ARCHES) && \
	tests/bench-arch.sh --tree "$$tree" --arch $(ARCHES) -j $(JOBS) $(if $(PATHS),--paths $(PATHS))

# classify over the whole tree against one plain clang -fsyntax-only pass
bench-classify: deps all
	tests/bench-classify.sh $(KERNEL)

# the checker's mutation kill rate on the whole tree's conversions
bench-mutants: deps all
	PATHS=$(PATHS) tests/bench-mutants.sh $(KERNEL)

# every cocci/*.cocci alone under make coccicheck MODE=report, whole tree
bench-coccicheck: deps all
	JOBS=$(JOBS) tests/bench-coccicheck.sh $$(tools/tree.sh "$(KERNEL)" "$(KVER)")

clean:
	rm -rf build/obj bin

.PHONY: all deps tree run replay check bench bench-arch bench-classify bench-mutants bench-coccicheck clean
