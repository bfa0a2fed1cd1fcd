/** The engine end to end on the local backend (real processes, a real SQLite file). */
import { defineEngineSuite } from './suites/engine-suite';

defineEngineSuite('local');
