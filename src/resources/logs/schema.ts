import Type, { type Static } from 'typebox';
import { named, OrganizationIdParam, StringEnum } from '../../core/schemas.js';
import { LOG_SOURCES } from './repo.js';

/** Order of the reference's response enum (the query parameter lists the same values in another order). */
const ENTRY_SOURCES = ['scheduler', 'webserver', 'triggerer', 'worker', 'dag-processor', 'apiserver'] as const;

export const DeploymentLogEntry = named('DeploymentLogEntry', Type.Object({
  raw: Type.String({ description: 'The line as the component wrote it.' }),
  source: StringEnum(ENTRY_SOURCES, { description: 'The component that wrote the line.' }),
  timestamp: Type.Number({ description: 'When the line was written, in seconds since the Unix epoch (with a fraction).' }),
}));

export const DeploymentLog = named('DeploymentLog', Type.Object({
  limit: Type.Integer({ minimum: 1, description: 'The page size used: the limit asked for, at most 10000.' }),
  maxNumResults: Type.Integer({ minimum: 0, description: 'The most lines the search returns over all its pages.' }),
  offset: Type.Integer({ minimum: 0, description: 'How many lines of the search come before this page.' }),
  resultCount: Type.Integer({ minimum: 0, description: 'How many lines this page holds.' }),
  results: Type.Array(DeploymentLogEntry, { description: 'The page of lines, newest first.' }),
  searchId: Type.String({ description: 'Send it with later pages of this search: they then read the same lines, whatever is written since.' }),
}));
export type DeploymentLogView = Static<typeof DeploymentLog>;

export const GetDeploymentLogsQuery = Type.Object({
  sources: Type.Array(StringEnum(LOG_SOURCES), { description: 'The components whose lines to return; at least one.' }),
  limit: Type.Optional(Type.Integer({ minimum: 1, default: 500, description: 'Most lines in this page.' })),
  offset: Type.Optional(Type.Integer({ minimum: 0, default: 0, description: 'How many lines of the search to skip.' })),
  range: Type.Optional(Type.Integer({ minimum: 60, default: 3600, description: 'How far back to look, in seconds, when startDate and endDate are not sent.' })),
  maxNumResults: Type.Optional(Type.Integer({ minimum: 1, default: 10000, description: 'Most lines over all pages of the search.' })),
  searchId: Type.Optional(Type.String({ description: 'The searchId of the search\'s first page, for its later pages.' })),
  searchText: Type.Optional(Type.String({ description: 'Words every line must hold (case-insensitive, whole words; a trailing `*` matches a word\'s beginning).' })),
  startDate: Type.Optional(Type.String({ format: 'date-time', description: 'Start of the time window (RFC 3339); send with endDate.' })),
  endDate: Type.Optional(Type.String({ format: 'date-time', description: 'End of the time window (RFC 3339); send with startDate.' })),
});
export type GetDeploymentLogsQueryValue = Static<typeof GetDeploymentLogsQuery>;

export const DeploymentLogsParams = Type.Object({
  ...OrganizationIdParam.properties,
  deploymentId: Type.String({ description: 'Identifier of the Deployment.' }),
});
