"""Runs the client tests with unittest and prints TAP ("ok N - name").

    /usr/bin/python3 clients/python/run_tests.py

The server comes from PGHOST, PGPORT, PGUSER and PGDATABASE. A test module
that fails to import is one failing test, so a missing driver is counted.
"""

import os
import sys
import unittest

here = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [here, os.path.join(here, "tests")]


class TapResult(unittest.TestResult):
    def __init__(self):
        super().__init__()
        self.count = 0

    def _line(self, test, ok, note=""):
        self.count += 1
        print("%s %d - %s%s" % ("ok" if ok else "not ok", self.count, test.id(), note), flush=True)

    def addSuccess(self, test):
        super().addSuccess(test)
        self._line(test, True)

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self._line(test, True, " # SKIP " + reason)

    def _fail(self, test, err, kind):
        self._line(test, False)
        for line in self._exc_info_to_string(err, test).splitlines():
            print("# " + line)

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._fail(test, err, "failure")

    def addError(self, test, err):
        super().addError(test, err)
        self._fail(test, err, "error")

    def addSubTest(self, test, subtest, err):
        super().addSubTest(test, subtest, err)
        if err is not None:
            self._fail(subtest, err, "subtest")

    def addExpectedFailure(self, test, err):
        super().addExpectedFailure(test, err)
        self._line(test, True, " # TODO expected failure")

    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test)
        self._line(test, False, " # unexpected success")


def main():
    suite = unittest.defaultTestLoader.discover(os.path.join(here, "tests"), top_level_dir=os.path.join(here, "tests"))
    result = TapResult()
    suite.run(result)
    print("1..%d" % result.count)
    bad = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
    print("%d passed, %d failed" % (result.count - bad, bad))
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
