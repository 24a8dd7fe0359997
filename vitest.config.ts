import { defineConfig } from 'vitest/config';
import { WxtVitest } from 'wxt/testing/vitest-plugin';

// Three layers, all offline: unit (fakeBrowser + fake-indexeddb), DOM (saved Hugging Face pages in
// happy-dom) and e2e (the built extension in Debian's Chromium against local impersonators).
// CI asks for a JSON report per run (TEST_REPORT_DIR) to print one closing "N passed, N failed" line.
const reportDir = process.env.TEST_REPORT_DIR;
const reports = reportDir
  ? {
      reporters: ['default', 'json'],
      outputFile: { json: `${reportDir}/vitest-${process.pid}.json` },
    }
  : {};

export default defineConfig({
  test: {
    ...reports,
    projects: [
      {
        plugins: [WxtVitest()],
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.{ts,tsx}'],
          environment: 'node',
          setupFiles: ['tests/setup/unit.ts'],
        },
      },
      {
        plugins: [WxtVitest()],
        test: {
          name: 'dom',
          include: ['tests/dom/**/*.test.{ts,tsx}'],
          environment: 'happy-dom',
          environmentOptions: {
            happyDOM: {
              settings: {
                disableJavaScriptFileLoading: true,
                disableCSSFileLoading: true,
                disableIframePageLoading: true,
                handleDisabledFileLoadingAsSuccess: true,
              },
            },
          },
          setupFiles: ['tests/setup/unit.ts', 'tests/setup/dom.ts'],
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // A check reads a multi-MB header on two shared cores: give the browser time.
          expect: { poll: { timeout: 20_000, interval: 100 } },
          // One Chromium at a time: the machine has two cores.
          fileParallelism: false,
        },
      },
    ],
  },
});
