/**
 * The engine's behaviour suites on the HTCondor backend, through the fake condor_*
 * commands (HTCondor can't be installed here; see docs/HTCONDOR.md). The fakes run the
 * real wrapper and real processes, so outputs, exits and cancels are real.
 */
import { useFakeCondor } from './fakes/condor';
import { defineEngineSuite } from './suites/engine-suite';
import { defineSemanticsSuite } from './suites/semantics-suite';

const fake = useFakeCondor();
afterAll(() => fake.restore());

const config = {
  defaultBackend: 'htcondor',
  backends: { htcondor: { pollIntervalMs: 250 } },
};

describe('engine on htcondor (fake schedd)', () => defineEngineSuite('htcondor', config, 180000));
describe('semantics on htcondor (fake schedd)', () => defineSemanticsSuite('htcondor', config, 240000));
