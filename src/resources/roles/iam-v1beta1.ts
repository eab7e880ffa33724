import Type, { type TObject } from 'typebox';
import { byOperationId, presentAs } from '../../http/projection.js';
import { named, nullAsAbsent } from '../../core/schemas.js';
import { operations } from './routes.js';
import { CreateCustomRoleRequest, UpdateCustomRoleRequest } from './schema.js';

/**
 * Custom roles and role templates on /iam/v1beta1: the same shapes as /v1 (no permission groups
 * there), except the request bodies. The iam document refuses a Workspace listed twice in
 * restrictedWorkspaceIds (v1 keeps each once). The Terraform provider, this surface's client,
 * always sends restrictedWorkspaceIds, as JSON null when none is configured, and describes the
 * whole role on update: there a left-out description or restriction list means none (the
 * service's `wholeRole` rule; the v1 body cannot say "no description"), so that the answer
 * matches what it configured.
 */
function older<T extends TObject>(name: string, body: T): T {
  const { restrictedWorkspaceIds, ...rest } = body.properties as Record<string, TObject & { description?: string }>;
  return nullAsAbsent(named(name, Type.Object({
    ...rest,
    restrictedWorkspaceIds: Type.Optional(Type.Array(Type.String(), { uniqueItems: true, description: restrictedWorkspaceIds?.description })),
  }) as unknown as T));
}

const CreateCustomRoleRequestV1beta1 = older('CreateCustomRoleRequest', CreateCustomRoleRequest);
const UpdateCustomRoleRequestV1beta1 = older('UpdateCustomRoleRequest', UpdateCustomRoleRequest);

const v1 = byOperationId(operations);

export const iamOperations = [
  presentAs(v1.ListRoles),
  presentAs(v1.CreateCustomRole, { body: CreateCustomRoleRequestV1beta1 }),
  presentAs(v1.GetCustomRole),
  presentAs(v1.UpdateCustomRole, { body: UpdateCustomRoleRequestV1beta1, rules: () => ({ wholeRole: true }) }),
  presentAs(v1.DeleteCustomRole),
  presentAs(v1.ListRoleTemplates),
];
