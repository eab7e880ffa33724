import Type, { type Static } from 'typebox';
import { BasicSubjectProfile, DateTime, named, OrganizationIdParam, paginated, StringEnum } from '../../core/schemas.js';

/** What a create may ask for; BUNDLE deploys are reported with type DAG_ONLY (the Deploy enum has no BUNDLE). */
export const CREATE_DEPLOY_TYPES = ['IMAGE_AND_DAG', 'IMAGE_ONLY', 'DAG_ONLY', 'BUNDLE'] as const;
export type CreateDeployType = (typeof CREATE_DEPLOY_TYPES)[number];
export const DEPLOY_TYPES = ['IMAGE_AND_DAG', 'IMAGE_ONLY', 'DAG_ONLY'] as const;
export const DEPLOY_STATUSES = ['INITIALIZED', 'DEPLOYED', 'FAILED'] as const;
export type DeployStatus = (typeof DEPLOY_STATUSES)[number];
export const GIT_PROVIDERS = ['GITHUB', 'GENERIC'] as const;

/** Longest description a deploy may carry. */
export const MAX_DESCRIPTION = 500;

// ---------------------------------------------------------------- responses

export const Bundle = named('Bundle', Type.Object({
  bundleType: Type.String({ description: 'What the bundle holds, as the deploy named it (for example dbt).' }),
  currentVersion: Type.Optional(Type.String({ description: 'The bundle tarball the Deployment mounts now.' })),
  deployId: Type.String({ description: 'The deploy that brought the bundle.' }),
  desiredVersion: Type.Optional(Type.String({ description: 'The bundle tarball the Deployment is moving to.' })),
  mountPath: Type.String({ description: 'Where the bundle is mounted in the Airflow component pods.' }),
}));

const gitFields = {
  account: Type.Optional(Type.String({ description: 'Account, organization or group owning the repository (GITHUB).' })),
  authorName: Type.Optional(Type.String({ description: 'Display name of the commit author.' })),
  authorUrl: Type.Optional(Type.String({ description: 'Profile page of the commit author.' })),
  authorUsername: Type.Optional(Type.String({ description: 'Username of the commit author.' })),
  beforeCommitSha: Type.Optional(Type.String({ description: 'The commit before the deployed one.' })),
  branch: Type.Optional(Type.String({ description: 'The branch deployed from.' })),
  commitSha: Type.String({ description: 'The deployed commit.' }),
  commitUrl: Type.Optional(Type.String({ description: 'Web page of the deployed commit.' })),
  path: Type.Optional(Type.String({ description: 'Folder of the repository the deploy came from.' })),
  provider: StringEnum(GIT_PROVIDERS, { description: 'Where the repository is hosted.' }),
  remoteUrl: Type.Optional(Type.String({ description: 'The repository\'s remote URL (GENERIC).' })),
  repo: Type.Optional(Type.String({ description: 'Name of the repository (GITHUB).' })),
};

export const DeployGit = named('DeployGit', Type.Object(gitFields));
export type DeployGitView = Static<typeof DeployGit>;

export const Deploy = named('Deploy', Type.Object({
  airflowVersion: Type.Optional(Type.String({ description: 'Airflow version of the deploy\'s Astro Runtime, NA when unknown.' })),
  astroRuntimeVersion: Type.Optional(Type.String({ description: 'Astro Runtime version the Deployment ran when the deploy was created.' })),
  bundleMountPath: Type.Optional(Type.String({ description: 'BUNDLE deploys: where the bundle is mounted.' })),
  bundleUploadUrl: Type.Optional(Type.String({ description: 'BUNDLE deploys: the signed URL the bundle tarball is uploaded to (Azure Blob protocol), valid for a limited time.' })),
  bundles: Type.Optional(Type.Array(Bundle, { description: 'BUNDLE deploys: the bundle the deploy brings.' })),
  createdAt: DateTime('When the deploy was created.'),
  createdBySubject: Type.Optional(BasicSubjectProfile),
  dagTarballVersion: Type.Optional(Type.String({ description: 'The DAG tarball the deploy brought (or re-applied), once finalized.' })),
  dagsUploadUrl: Type.Optional(Type.String({ description: 'DAG deploys on a Deployment with DAG deploys enabled: the signed URL the DAG tarball is uploaded to (Azure Blob protocol), valid for a limited time.' })),
  deploymentId: Type.String({ description: 'The Deployment deployed to.' }),
  description: Type.Optional(Type.String({ description: 'What the deploy is about.' })),
  git: Type.Optional(DeployGit),
  id: Type.String({ description: 'Identifier of the deploy.' }),
  imageRepository: Type.String({ description: 'The repository the deploy\'s image is pushed to.' }),
  imageTag: Type.String({ description: 'Image deploys: the tag to push the new image under; others: the image the Deployment runs.' }),
  isDagDeployEnabled: Type.Boolean({ description: 'Whether the Deployment had DAG deploys enabled when the deploy was created.' }),
  rollbackFromId: Type.Optional(Type.String({ description: 'Rollbacks: the deploy that was current when the rollback was made.' })),
  status: StringEnum(DEPLOY_STATUSES, { description: 'INITIALIZED until finalized, then DEPLOYED, or FAILED when the configured registry does not have the image of an image deploy.' }),
  type: StringEnum(DEPLOY_TYPES, { description: 'What the deploy brings (a BUNDLE deploy shows as DAG_ONLY).' }),
  updatedAt: Type.Optional(DateTime('When the deploy last changed.')),
  updatedBySubject: Type.Optional(BasicSubjectProfile),
}));
export type DeployView = Static<typeof Deploy>;

export const DeploysPaginated = paginated('DeploysPaginated', 'deploys', Deploy);

// ---------------------------------------------------------------- requests

export const CreateDeployGitRequest = named('CreateDeployGitRequest', Type.Object(gitFields));

export const CreateDeployRequest = named('CreateDeployRequest', Type.Object({
  bundleMountPath: Type.Optional(Type.String({ description: 'BUNDLE deploys (required): where to mount the bundle.' })),
  bundleType: Type.Optional(Type.String({ description: 'BUNDLE deploys (required): what the bundle holds.' })),
  description: Type.Optional(Type.String({ maxLength: MAX_DESCRIPTION, description: 'What the deploy is about.' })),
  git: Type.Optional(CreateDeployGitRequest),
  type: StringEnum(CREATE_DEPLOY_TYPES, { description: 'What the deploy brings.' }),
}));
export type CreateDeployBody = Static<typeof CreateDeployRequest>;

export const UpdateDeployRequest = named('UpdateDeployRequest', Type.Object({
  description: Type.Optional(Type.String({ maxLength: MAX_DESCRIPTION, description: 'The new description.' })),
}));
export type UpdateDeployBody = Static<typeof UpdateDeployRequest>;

export const FinalizeDeployRequest = named('FinalizeDeployRequest', Type.Object({
  bundleTarballVersion: Type.Optional(Type.String({ description: 'BUNDLE deploys: the version id the bundle upload answered; "" removes the bundle from the Deployment.' })),
  dagTarballVersion: Type.Optional(Type.String({ description: 'DAG deploys on a Deployment with DAG deploys enabled: the version id the DAG upload answered.' })),
}));
export type FinalizeDeployBody = Static<typeof FinalizeDeployRequest>;

export const DeployRollbackRequest = named('DeployRollbackRequest', Type.Object({
  description: Type.Optional(Type.String({ maxLength: MAX_DESCRIPTION, description: 'What the rollback is about.' })),
}));
export type DeployRollbackBody = Static<typeof DeployRollbackRequest>;

// ---------------------------------------------------------------- parameters

export const DeploymentDeploysParams = Type.Object({
  ...OrganizationIdParam.properties,
  deploymentId: Type.String({ description: 'Identifier of the Deployment.' }),
});

export const DeployParams = Type.Object({
  ...DeploymentDeploysParams.properties,
  deployId: Type.String({ description: 'Identifier of the deploy.' }),
});

export const ListDeploysQuery = Type.Object({
  offset: Type.Optional(Type.Integer({ minimum: 0, default: 0, description: 'How many deploys to skip.' })),
  limit: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000, default: 20, description: 'Largest number of deploys to return.' })),
});
