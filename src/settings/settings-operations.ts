// Chime API operations on the installation-wide (global) settings.
import { z } from 'zod';
import { defineOperation } from '../platform/operation.js';
import { text } from '../platform/wire/shapes.js';
import { globalSettingsOutput } from './settings-wire.js';

const cdrSettings = z.object({ CdrBucket: text(255).optional() });

export const settingsOperations = [
  defineOperation({
    name: 'GetGlobalSettings',
    method: 'GET',
    path: '/settings',
    status: 200,
    permission: 'read',
    scope: 'installation',
    input: z.object({}),
    output: globalSettingsOutput,
    handle: async ({ services }) => {
      const s = await services.settings.getGlobalSettings();
      return { BusinessCalling: { CdrBucket: s.businessCalling.cdrBucket }, VoiceConnector: { CdrBucket: s.voiceConnector.cdrBucket } };
    },
  }),

  defineOperation({
    name: 'UpdateGlobalSettings',
    method: 'PUT',
    path: '/settings',
    status: 204,
    permission: 'administer',
    scope: 'installation',
    output: null,
    input: z.object({ body: z.object({ BusinessCalling: cdrSettings.optional(), VoiceConnector: cdrSettings.optional() }) }),
    handle: async ({ services, actor }, { body }) =>
      services.settings.updateGlobalSettings(actor, {
        ...(body.BusinessCalling && { businessCalling: { cdrBucket: body.BusinessCalling.CdrBucket } }),
        ...(body.VoiceConnector && { voiceConnector: { cdrBucket: body.VoiceConnector.CdrBucket } }),
      }),
  }),
];
