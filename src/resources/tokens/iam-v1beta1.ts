import Type from 'typebox';
import { byOperationId, presentAs } from '../../http/projection.js';
import { named, paginated, StringEnum } from '../../core/schemas.js';
import { agentOperations, operations } from './routes.js';
import { ApiToken, CreateApiTokenRequest, TOKEN_SCOPES, type ApiTokenView } from './schema.js';

/**
 * API tokens on /iam/v1beta1: the older shape calls a token's scope its `type`, in answers and in
 * the create body; everything else is v1's.
 */
const TypeField = StringEnum(TOKEN_SCOPES, { description: 'Whether the token belongs to the Organization, a Workspace or a Deployment.' });

const ApiTokenV1beta1 = named('ApiToken', Type.Object({ ...Type.Omit(ApiToken, ['scope']).properties, type: TypeField }));
const ApiTokensPaginatedV1beta1 = paginated('ApiTokensPaginated', 'tokens', ApiTokenV1beta1);
const CreateApiTokenRequestV1beta1 = named('CreateApiTokenRequest', Type.Object({ ...Type.Omit(CreateApiTokenRequest, ['scope']).properties, type: TypeField }));

function toV1beta1(t: ApiTokenView) {
  const { scope, ...rest } = t;
  return { ...rest, type: scope };
}

const v1 = byOperationId([...operations, ...agentOperations]);
const token = { success: ApiTokenV1beta1, out: toV1beta1 };

export const iamOperations = [
  presentAs(v1.ListApiTokens, {
    success: ApiTokensPaginatedV1beta1,
    out: (page) => ({ ...page, tokens: page.tokens.map(toV1beta1) }),
  }),
  presentAs(v1.CreateApiToken, {
    ...token,
    body: CreateApiTokenRequestV1beta1,
    bodyIn: ({ type, ...rest }) => ({ ...rest, scope: type }),
  }),
  presentAs(v1.GetApiToken, token),
  presentAs(v1.UpdateApiToken, token),
  presentAs(v1.UpdateApiTokenRoles),
  presentAs(v1.RotateApiToken, token),
  presentAs(v1.DeleteApiToken),
  presentAs(v1.ListAgentTokens, {
    success: ApiTokensPaginatedV1beta1,
    out: (page) => ({ ...page, tokens: page.tokens.map(toV1beta1) }),
  }),
  presentAs(v1.CreateAgentToken, token),
  presentAs(v1.GetAgentToken, token),
  presentAs(v1.DeleteAgentToken),
];
