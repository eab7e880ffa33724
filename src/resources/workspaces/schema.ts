import Type, { type Static } from 'typebox';
import { BasicSubjectProfile, CLOUD_PROVIDERS, DateTime, named, OrganizationIdParam, pageQuery, paginated, StringEnum } from '../../core/schemas.js';

const defaults = {
  defaultCloudProvider: Type.Optional(StringEnum(CLOUD_PROVIDERS, { description: 'Cloud provider new Deployments use when they name no infrastructure; goes with defaultRegion.' })),
  defaultClusterId: Type.Optional(Type.String({ description: 'Cluster new Deployments use when they name no infrastructure; excludes defaultCloudProvider and defaultRegion.' })),
  defaultRegion: Type.Optional(Type.String({ description: 'Region new Deployments use when they name no infrastructure; goes with defaultCloudProvider.' })),
};

export const Workspace = named('Workspace', Type.Object({
  cicdEnforcedDefault: Type.Boolean({ description: 'Whether new Deployments start with CI/CD enforcement on.' }),
  createdAt: DateTime('When the Workspace was created.'),
  createdBy: Type.Optional(BasicSubjectProfile),
  defaultCloudProvider: Type.Optional(StringEnum(CLOUD_PROVIDERS, { description: 'Default cloud provider for new Deployments.' })),
  defaultClusterId: Type.Optional(Type.String({ description: 'Default cluster for new Deployments.' })),
  defaultRegion: Type.Optional(Type.String({ description: 'Default region for new Deployments.' })),
  description: Type.Optional(Type.String({ description: 'What the Workspace is for.' })),
  id: Type.String({ description: 'Identifier of the Workspace.' }),
  name: Type.String({ description: 'Display name of the Workspace.' }),
  organizationId: Type.String({ description: 'The Organization the Workspace belongs to.' }),
  organizationName: Type.Optional(Type.String({ description: 'Name of that Organization.' })),
  updatedAt: DateTime('When the Workspace was last changed.'),
  updatedBy: Type.Optional(BasicSubjectProfile),
}));
export type WorkspaceView = Static<typeof Workspace>;

export const WorkspacesPaginated = paginated('WorkspacesPaginated', 'workspaces', Workspace);

export const CreateWorkspaceRequest = named('CreateWorkspaceRequest', Type.Object({
  cicdEnforcedDefault: Type.Optional(Type.Boolean({ description: 'Start new Deployments with CI/CD enforcement on. Defaults to false.' })),
  ...defaults,
  description: Type.Optional(Type.String({ description: 'What the Workspace is for.' })),
  name: Type.String({ maxLength: 50, description: 'Display name of the Workspace.' }),
}));
export type CreateWorkspaceBody = Static<typeof CreateWorkspaceRequest>;

export const UpdateWorkspaceRequest = named('UpdateWorkspaceRequest', Type.Object({
  cicdEnforcedDefault: Type.Boolean({ description: 'Start new Deployments with CI/CD enforcement on.' }),
  ...defaults,
  description: Type.String({ description: 'What the Workspace is for.' }),
  name: Type.String({ maxLength: 50, description: 'Display name of the Workspace.' }),
}));
export type UpdateWorkspaceBody = Static<typeof UpdateWorkspaceRequest>;

export const ListWorkspacesQuery = Type.Object({
  workspaceIds: Type.Optional(Type.Array(Type.String(), { description: 'Only these Workspaces.' })),
  names: Type.Optional(Type.Array(Type.String(), { description: 'Only Workspaces with one of these exact names.' })),
  ...pageQuery(['name', 'createdAt', 'updatedAt']),
});

export const WorkspaceParams = Type.Object({
  ...OrganizationIdParam.properties,
  workspaceId: Type.String({ description: 'Identifier of the Workspace.' }),
});
