"""The test suite, mirroring the packages; e2e/ drives a real browser, multiprocess/ servers."""
