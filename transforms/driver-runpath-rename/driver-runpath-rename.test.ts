import { defineFixtureTests } from '../../test/helpers/fixtures.js';

defineFixtureTests('driver-runpath-rename');
