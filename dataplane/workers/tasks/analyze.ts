// Worker-thread entry of the analysis pool: one analyzer per thread, built when the thread starts.
import { createAnalyzer } from '../../analysis/analyze.js';
import { defineTask } from '../task-envelope.js';

export default defineTask(createAnalyzer());
