// Installation-wide settings: the owner id (AwsAccountId) and Chime's global settings.
import { defineModule } from '../platform/module.js';
import { settingsOperations } from './settings-operations.js';
import { SettingsService } from './settings-service.js';

declare module '../platform/module.js' {
  interface Services {
    settings: SettingsService;
  }
}

export const settingsModule = defineModule({
  name: 'settings',
  provide: (s) => ({ settings: new SettingsService({ db: s.db, audit: s.audit }) }),
  operations: settingsOperations,
});
