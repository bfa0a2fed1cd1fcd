/** Nested fan-out on the local backend (test/suites/nested-suite.ts). */
import { defineNestedSuite } from './suites/nested-suite';

defineNestedSuite('local');
