/** Batch management rules on the local backend. */
import { defineSemanticsSuite } from './suites/semantics-suite';

defineSemanticsSuite('local', {}, 180000);
