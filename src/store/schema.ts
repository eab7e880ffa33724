/**
 * Row types of every table, as Kysely sees them. Booleans are stored as 0/1 integers and
 * times as ISO text on both SQLite and PostgreSQL, so the two back ends behave the same.
 */
export interface AuditColumns {
  created_at: string;
  created_by_id: string;
  created_by_type: string;
  updated_at: string;
  updated_by_id: string;
  updated_by_type: string;
}

export interface OrganizationsTable extends AuditColumns {
  id: string;
  name: string;
  billing_email: string | null;
  is_scim_enabled: number;
  allow_enhanced_support_access: number;
  has_ai_features_disabled: number;
  is_blocked_enable_ai_features: number;
  should_enforce_dedicated_clusters: number;
  product: string;
  status: string;
  payment_method: string | null;
  trial_expires_at: string | null;
  product_plan_id: string;
  product_plan_name: string;
}

export interface ApiTokensTable extends AuditColumns {
  id: string;
  organization_id: string;
  name: string;
  description: string | null;
  scope: string;
  kind: string;
  entity_id: string;
  token_hash: string;
  short_token: string;
  expiry_period_days: number | null;
  start_at: string;
  end_at: string | null;
  last_used_at: string | null;
  last_rotated_at: string | null;
  /** The Deployment an agent token belongs to; null for API tokens. */
  agent_deployment_id?: string | null;
}

export interface ApiTokenRolesTable {
  token_id: string;
  position: number;
  entity_type: string;
  entity_id: string;
  role: string;
  deployment_id: string | null;
}

export interface AllowedIpAddressRangesTable extends AuditColumns {
  id: string;
  organization_id: string;
  ip_address_range: string;
}

export interface WorkspacesTable extends AuditColumns {
  id: string;
  organization_id: string;
  name: string;
  description: string | null;
  cicd_enforced_default: number;
  default_cluster_id: string | null;
  default_cloud_provider: string | null;
  default_region: string | null;
}

export interface ClustersTable extends AuditColumns {
  id: string;
  organization_id: string;
  name: string;
  type: string;
  cloud_provider: string;
  region: string;
  vpc_subnet_range: string;
  pod_subnet_range: string | null;
  service_subnet_range: string | null;
  service_peering_range: string | null;
  secondary_vpc_cidr: string | null;
  db_instance_type: string;
  provider_account: string | null;
  tenant_id: string | null;
  is_limited: number;
  is_private_network_egress_enabled: number | null;
  k8s_tags: string;
  metadata: string;
  dr_region: string;
  is_dr_enabled: number;
  dr_vpc_subnet_range: string | null;
  dr_secondary_vpc_cidr: string | null;
  dr_pod_subnet_range: string | null;
  dr_service_subnet_range: string | null;
  dr_service_peering_range: string | null;
  enable_replication_time_control: number | null;
  is_failed_over: number;
  /** CREATING / UPDATING / FAILING_OVER while a change is in flight, else null. */
  pending_status: string | null;
  /** When the in-flight change finishes (stored time); null when nothing is pending. */
  pending_until: string | null;
}

export interface ClusterNodePoolsTable {
  id: string;
  cluster_id: string;
  name: string;
  is_default: number;
  max_node_count: number;
  node_instance_type: string;
  supported_astro_machines: string | null;
  created_at: string;
  updated_at: string;
}

export interface ClusterWorkspacesTable {
  cluster_id: string;
  workspace_id: string;
}

export interface DeploymentsTable extends AuditColumns {
  id: string;
  organization_id: string;
  workspace_id: string;
  /** Null for STANDARD Deployments, which run on a shared cluster. */
  cluster_id: string | null;
  name: string;
  description: string | null;
  type: string;
  cloud_provider: string;
  region: string;
  runtime_version: string;
  executor: string;
  namespace: string;
  /** Hosted only (null on HYBRID). */
  scheduler_size: string | null;
  /** HYBRID only (null on hosted). */
  scheduler_au: number | null;
  scheduler_replicas: number | null;
  is_high_availability: number | null;
  is_development_mode: number | null;
  is_cicd_enforced: number;
  is_dag_deploy_enabled: number;
  /** Quantities exactly as sent (or defaulted), echoed byte for byte. */
  resource_quota_cpu: string | null;
  resource_quota_memory: string | null;
  default_task_pod_cpu: string | null;
  default_task_pod_memory: string | null;
  task_pod_node_pool_id: string | null;
  workload_identity: string | null;
  dr_workload_identity: string | null;
  /** JSON array as sent, or null when never sent. */
  contact_emails: string | null;
  /** JSON {allowedIpAddressRanges, taskLogBucket?, taskLogUrlPattern?} while remote execution is on, else null. */
  remote_execution: string | null;
  /** JSON array of hibernation schedules as sent, or null when none were configured. */
  hibernation_schedules: string | null;
  /** JSON {isHibernating?, overrideUntil?} as sent, or null when no override is configured. */
  hibernation_override: string | null;
  /** CREATING / DEPLOYING while a change is in flight, else null. */
  pending_status: string | null;
  pending_until: string | null;
  /** The image the last image deploy brought; null until one is finalized (the runtime's image). */
  image_tag?: string | null;
  /** The DAG tarball running before the latest DAG deploy; shown while that deploy rolls out. */
  dag_tarball_version?: string | null;
  /** The DAG tarball of the latest finalized DAG deploy. */
  desired_dag_tarball_version?: string | null;
}

export interface DeploymentWorkerQueuesTable {
  id: string;
  deployment_id: string;
  position: number;
  name: string;
  is_default: number;
  astro_machine: string | null;
  node_pool_id: string | null;
  min_worker_count: number;
  max_worker_count: number;
  worker_concurrency: number;
  pod_ephemeral_storage: string | null;
  created_at: string;
  updated_at: string;
}

export interface DeploymentEnvVarsTable {
  deployment_id: string;
  position: number;
  key: string;
  is_secret: number;
  /** The value of a variable that is not secret; always null for secrets. */
  value: string | null;
  /** The value of a secret variable, sealed by store/crypto.ts; never returned by the API. */
  secret_value: string | null;
  updated_at: string;
}

export interface DeploymentCountsTable {
  organization_id: string;
  workspace_id: string;
  count: number;
}

export interface ServerSecretsTable {
  name: string;
  value: string;
}

/** A single row (id 1); see src/store/cache.ts. */
export interface AuthCacheEpochTable {
  id: number;
  epoch: number;
}

/** Rows of each organization in a list of store/page-marks.ts (list = the listed table's name). */
export interface ListCountsTable {
  list: string;
  organization_id: string;
  total: number;
}

/** Runs of an organization's rows of a list in (created_at, id) order; see store/page-marks.ts. */
export interface ListPageMarksTable {
  list: string;
  organization_id: string;
  created_at: string;
  id: string;
  start_position: number;
  run_length: number;
}

/** One deploy of a Deployment; `seq` numbers them per Deployment from 1. */
export interface DeploysTable extends AuditColumns {
  id: string;
  organization_id: string;
  deployment_id: string;
  seq: number;
  /** IMAGE_AND_DAG | IMAGE_ONLY | DAG_ONLY | BUNDLE */
  type: string;
  /** INITIALIZED | DEPLOYED | FAILED */
  status: string;
  description: string | null;
  /** JSON of the git block as sent, or null. */
  git: string | null;
  runtime_version: string;
  image_repository: string;
  image_tag: string;
  is_dag_deploy_enabled: number;
  dag_tarball_version: string | null;
  bundle_type: string | null;
  bundle_mount_path: string | null;
  bundle_tarball_version: string | null;
  rollback_from_id: string | null;
  /** When the deploy's signed upload URLs stop working. */
  upload_expires_at: string;
}

/** A tarball uploaded for a deploy (kind dags | bundle), by the version id the upload answered. */
export interface DeployUploadsTable {
  deploy_id: string;
  kind: string;
  version: string;
  sha256: string;
  size: number;
  /** JSON array of the archive's regular files. */
  files: string;
  created_at: string;
}

/** A staged block of a block upload, until its block list is committed or it expires. */
export interface UploadBlocksTable {
  deploy_id: string;
  kind: string;
  block_id: string;
  content: Buffer;
  size: number;
  staged_at: string;
}

/** Tarball bytes by digest (PostgreSQL stores only; SQLite keeps files in the data directory). */
export interface BlobContentsTable {
  sha256: string;
  size: number;
  content: Buffer;
}

/** A bundle a Deployment mounts, from the BUNDLE deploy that last set it. */
export interface DeploymentBundlesTable {
  deployment_id: string;
  mount_path: string;
  bundle_type: string;
  deploy_id: string;
  version: string;
}

/**
 * A Deployment component's log line; see src/resources/logs/repo.ts, its one owner. The search
 * words live beside it (an FTS5 table on SQLite, a tsvector column on PostgreSQL) and are only
 * written and read through SQL of that file, so they have no type here.
 */
export interface DeploymentLogLinesTable {
  seq: number;
  organization_id: string;
  deployment_id: string;
  source: string;
  ts_us: number | string;
  raw: string;
}

/** Up to when a Deployment's scheduled hibernation is in its logs; see src/resources/logs/repo.ts. */
export interface DeploymentLogMarksTable {
  deployment_id: string;
  hibernation_logged_until: string;
}

export interface NotificationChannelsTable extends AuditColumns {
  id: string;
  organization_id: string;
  entity_type: string;
  entity_id: string;
  /** The channel's Workspace: its entity, or its Deployment's Workspace; null for an Organization's channel. */
  workspace_id: string | null;
  deployment_id: string | null;
  type: string;
  name: string;
  is_shared: number;
  /** JSON of the definition as the API shows it (no secrets). */
  definition: string;
  /** Encrypted JSON of the definition's secret fields; never returned by the API. */
  secret: string | null;
}

export interface AlertsTable extends AuditColumns {
  id: string;
  organization_id: string;
  entity_type: string;
  workspace_id: string;
  deployment_id: string;
  type: string;
  name: string;
  severity: string;
  /** JSON `{patternMatches, properties}` as sent. */
  rules: string;
}

export interface AlertNotificationChannelsTable {
  alert_id: string;
  channel_id: string;
  position: number;
}

export interface CustomRolesTable extends AuditColumns {
  id: string;
  organization_id: string;
  name: string;
  description: string | null;
  /** DEPLOYMENT or DAG. */
  scope_type: string;
  /** JSON array of permission strings. */
  permissions: string;
  /** JSON array of Workspace ids; empty: the role is not restricted. */
  restricted_workspace_ids: string;
}

/** One mutating API request (src/resources/auditlogs/repo.ts owns it). */
export interface AuditLogsTable {
  id: string;
  organization_id: string;
  /** When the request arrived (stored time). */
  created_at: string;
  request_id: string;
  subject_id: string;
  /** USER or SERVICEKEY. */
  subject_type: string;
  api_token_id: string | null;
  api_token_name: string | null;
  operation_id: string;
  method: string;
  /** The request path without its query string. */
  path: string;
  workspace_id: string | null;
  deployment_id: string | null;
  /** The resource the request acted on or created, where known. */
  resource_id: string | null;
  /** The status the request was answered with. */
  status_code: number;
  source_ip: string;
  user_agent: string | null;
  /** The JSON body with secrets replaced (src/http/redaction.ts); null when none was sent or it was too large. */
  request_body: string | null;
  /** Length in bytes of a body too large to keep (then request_body is null). */
  request_body_size: number | null;
}

/**
 * Environment objects (Environment Manager): one row per object, at WORKSPACE or DEPLOYMENT scope.
 * workspace_id is the object's Workspace at either scope (a Deployment's own), deployment_id the
 * Deployment of a DEPLOYMENT object; both cascade, so deleting the scope deletes its objects.
 */
export interface EnvironmentObjectsTable extends AuditColumns {
  id: string;
  organization_id: string;
  workspace_id: string;
  deployment_id: string | null;
  scope: string;
  scope_entity_id: string;
  object_type: string;
  object_key: string;
  description: string | null;
  auto_link_deployments: number;
  /** Variables only: whether the value is secret (immutable). */
  is_secret: number;
  /** JSON object: the typed block's fields that are not secret. */
  data: string;
  /** The typed block's secret fields as a JSON object, sealed by store/crypto.ts; null when none are set. */
  secret_data: string | null;
}

/** A Workspace object's explicit link to one of the Workspace's Deployments, with its overrides. */
export interface EnvironmentObjectLinksTable {
  object_id: string;
  deployment_id: string;
  position: number;
  /** JSON object: override fields that are not secret. */
  overrides: string;
  /** Secret override fields as a JSON object, sealed; null when none are set. */
  secret_overrides: string | null;
}

/** A Deployment excluded from a Workspace object's automatic linking. */
export interface EnvironmentObjectExclusionsTable {
  object_id: string;
  deployment_id: string;
  position: number;
}

export interface UsersTable {
  id: string;
  /** Null for a user who signed in but belongs to no Organization. */
  organization_id: string | null;
  /** The identity provider's `sub`; null while the user is only invited. */
  subject: string | null;
  /** Lower-cased. */
  email: string;
  full_name: string;
  avatar_url: string;
  status: string;
  organization_role: string | null;
  created_at: string;
  updated_at: string;
}

export interface UserInvitesTable {
  id: string;
  organization_id: string;
  user_id: string;
  role: string;
  inviter_id: string;
  inviter_type: string;
  expires_at: string;
  created_at: string;
}

export interface TeamsTable extends AuditColumns {
  id: string;
  organization_id: string;
  name: string;
  description: string | null;
  is_idp_managed: number;
  organization_role: string;
}

export interface TeamMembersTable {
  team_id: string;
  user_id: string;
  created_at: string;
}

/** Workspace, Deployment and DAG roles of users and Teams (see migration 007). */
export interface SubjectRolesTable {
  subject_id: string;
  position: number;
  subject_type: string;
  organization_id: string;
  scope_type: string;
  entity_id: string;
  deployment_id: string | null;
  role: string;
}

export interface Database {
  organizations: OrganizationsTable;
  api_tokens: ApiTokensTable;
  api_token_roles: ApiTokenRolesTable;
  allowed_ip_address_ranges: AllowedIpAddressRangesTable;
  workspaces: WorkspacesTable;
  clusters: ClustersTable;
  cluster_node_pools: ClusterNodePoolsTable;
  cluster_workspaces: ClusterWorkspacesTable;
  deployments: DeploymentsTable;
  deployment_worker_queues: DeploymentWorkerQueuesTable;
  deployment_env_vars: DeploymentEnvVarsTable;
  deployment_counts: DeploymentCountsTable;
  server_secrets: ServerSecretsTable;
  auth_cache_epoch: AuthCacheEpochTable;
  list_counts: ListCountsTable;
  list_page_marks: ListPageMarksTable;
  deploys: DeploysTable;
  deploy_uploads: DeployUploadsTable;
  upload_blocks: UploadBlocksTable;
  blob_contents: BlobContentsTable;
  deployment_bundles: DeploymentBundlesTable;
  deployment_log_lines: DeploymentLogLinesTable;
  deployment_log_marks: DeploymentLogMarksTable;
  notification_channels: NotificationChannelsTable;
  alerts: AlertsTable;
  alert_notification_channels: AlertNotificationChannelsTable;
  custom_roles: CustomRolesTable;
  audit_logs: AuditLogsTable;
  environment_objects: EnvironmentObjectsTable;
  environment_object_links: EnvironmentObjectLinksTable;
  environment_object_exclusions: EnvironmentObjectExclusionsTable;
  users: UsersTable;
  user_invites: UserInvitesTable;
  teams: TeamsTable;
  team_members: TeamMembersTable;
  subject_roles: SubjectRolesTable;
}
