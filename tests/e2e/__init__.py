"""Real-browser tests: Debian chromium driven by Playwright."""
