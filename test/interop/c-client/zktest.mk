# Builds zktest-mt, ZooKeeper's own C client tests, from a source tree that
# fetch-zookeeper-source.sh prepared, against the installed libzookeeper-mt-dev (its static
# library, because the tests' mocks wrap symbols inside the client with --wrap, as upstream's
# build does). Only the suites that talk to a server are built; the others test the client alone.
#   make -f zktest.mk SRC=<zookeeper-client-c> OUT=<dir> ZKSERVER_CMD=<path of tests/zkServer.sh>
#        [TESTS=<a copy of its tests/>]
SRC ?= $(error SRC: the zookeeper-client-c directory)
# Where the tests' .cc files are read from: a patched copy may stand in for $(SRC)/tests.
TESTS ?= $(SRC)/tests
OUT ?= .
ZKSERVER_CMD ?= $(error ZKSERVER_CMD: the zkServer.sh the tests run to start and stop a server)
LIB ?= /usr/lib/$(shell gcc -print-multiarch)/libzookeeper_mt.a

SUITES := TestClient TestMulti TestClientRetry TestReadOnlyClient
SUPPORT := TestDriver LibCMocks LibCSymTable MocksBase ZKMocks Util ThreadingUtil PthreadMocks
OBJS := $(patsubst %,$(OUT)/%.o,$(SUPPORT) $(SUITES)) $(OUT)/close-race-probe.o

# Debian's library is built without OpenSSL and SASL, so neither is defined here: the SSL tests
# drop out, as they do in such a build upstream. ZOO_IPV6_ENABLED keeps testIPV6 (::1).
# config.h stands in for autoconf's; time.h is what autoconf's build happens to bring to Util.cc.
# -w: the warnings are upstream's code's, not ours to fix.
CXXFLAGS := -O1 -g -w -include time.h -DTHREADED -DUSE_STATIC_LIB \
  -DZOO_IPV6_ENABLED -DZKSERVER_CMD='"$(ZKSERVER_CMD)"' -I$(OUT) -I$(SRC) -I$(SRC)/include \
  -I$(SRC)/tests -I$(SRC)/src -I/usr/include/zookeeper
WRAP := $(shell cat $(SRC)/tests/wrappers.opt $(SRC)/tests/wrappers-mt.opt) \
  -Wl,--wrap,zoo_wget_children

$(OUT)/zktest-mt: $(OBJS) $(LIB)
	g++ -o $@ $(OBJS) $(WRAP) $(LIB) -lcppunit -lpthread -ldl

$(OUT)/config.h:
	mkdir -p $(OUT)
	echo '#define POLL_NFDS_TYPE nfds_t' > $@

# Ours: it prints the codes testHangingClient's watcher gets (see the file).
$(OUT)/close-race-probe.o: $(dir $(lastword $(MAKEFILE_LIST)))close-race-probe.c
	gcc -O1 -g -Wall -DTHREADED -I/usr/include/zookeeper -c -o $@ $<

$(OUT)/%.o: $(TESTS)/%.cc $(OUT)/config.h
	g++ $(CXXFLAGS) -c -o $@ $<
