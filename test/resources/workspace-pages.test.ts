import { defaultOrderPageTests } from '../helpers/list-pages.js';

defaultOrderPageTests({
  list: 'workspaces',
  setup: async () => (i) => ({ name: `page-${i}` }),
});
