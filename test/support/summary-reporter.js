// Ends the run with one plain line, "tests: N passed, N failed, N skipped",
// so CI can read how many tests ran whatever reporter it knows.
export default class SummaryReporter {
  onRunComplete(_contexts, results) {
    const line = `tests: ${results.numPassedTests} passed, ${results.numFailedTests} failed, ${results.numPendingTests + results.numTodoTests} skipped`;
    process.stdout.write(`${line}\n`);
  }
}
