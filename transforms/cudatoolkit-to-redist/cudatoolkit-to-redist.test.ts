import { defineFixtureTests } from '../../test/helpers/fixtures.js';

defineFixtureTests('cudatoolkit-to-redist');
