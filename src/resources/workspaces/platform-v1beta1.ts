import Type from 'typebox';
import { byOperationId, presentAs, without } from '../../http/projection.js';
import { named, paginated } from '../../core/schemas.js';
import { operations } from './routes.js';
import { CreateWorkspaceRequest, UpdateWorkspaceRequest, Workspace, type WorkspaceView } from './schema.js';

/**
 * Workspaces on /platform/v1beta1: the older shape has no default infrastructure. Created there, a
 * Workspace has none; updated there, its defaults keep their values (v1's rule for absent fields).
 * Defaults a body sends anyway are dropped, not applied.
 */
const DEFAULTS = ['defaultCloudProvider', 'defaultClusterId', 'defaultRegion'] as const;

const WorkspaceV1beta1 = named('Workspace', Type.Omit(Workspace, DEFAULTS));
const WorkspacesPaginatedV1beta1 = paginated('WorkspacesPaginated', 'workspaces', WorkspaceV1beta1);
const CreateWorkspaceRequestV1beta1 = named('CreateWorkspaceRequest', Type.Omit(CreateWorkspaceRequest, DEFAULTS));
const UpdateWorkspaceRequestV1beta1 = named('UpdateWorkspaceRequest', Type.Omit(UpdateWorkspaceRequest, DEFAULTS));

const toV1beta1 = (w: WorkspaceView) => without(w, DEFAULTS);

const v1 = byOperationId(operations);

export const platformOperations = [
  presentAs(v1.ListWorkspaces, {
    success: WorkspacesPaginatedV1beta1,
    out: (page) => ({ ...page, workspaces: page.workspaces.map(toV1beta1) }),
  }),
  presentAs(v1.CreateWorkspace, { body: CreateWorkspaceRequestV1beta1, dropsUndeclared: true, success: WorkspaceV1beta1, out: toV1beta1 }),
  presentAs(v1.GetWorkspace, { success: WorkspaceV1beta1, out: toV1beta1 }),
  presentAs(v1.UpdateWorkspace, { body: UpdateWorkspaceRequestV1beta1, dropsUndeclared: true, success: WorkspaceV1beta1, out: toV1beta1 }),
  presentAs(v1.DeleteWorkspace),
];
