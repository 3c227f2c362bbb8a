// Worker-thread entry of the analysis pool: one analyzer per thread, built when the thread starts. Requests
// arrive in batches (the pool's `batch` option): at a few tens of microseconds per analysis, the hand-off to
// the thread and back cost more than the work when each request made its own.
import { createAnalyzer } from '../../analysis/analyze.js';
import { defineBatchTask } from '../task-envelope.js';

export default defineBatchTask(createAnalyzer());
