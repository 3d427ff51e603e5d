import { defineFixtureTests } from '../../test/helpers/fixtures.js';

defineFixtureTests('symlinkjoin-to-propagated');
