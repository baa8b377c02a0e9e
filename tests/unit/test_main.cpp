// The doctest entry point for unit_tests; the tests themselves live in the files beside this one.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
