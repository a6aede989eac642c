// ChannelCheck on Azure: App Service (Linux, Node 20) running the release zip, its Azure Bot registration
// with the Teams channel, PostgreSQL Flexible Server, Key Vault for the secrets (read by the web app through
// Key Vault references) and Application Insights. Parameters: azure.parameters.json and README.md.

@maxLength(20)
@minLength(4)
@description('Prefix for every resource name, for example "cc-hillingdon".')
param resourceBaseName string

@description('Azure region for everything except the bot registration (which is global).')
param location string = resourceGroup().location

@description('App Service plan SKU. B1 for a pilot; P1v3 for several replicas.')
param webAppSku string = 'P1v3'

@minValue(1)
@description('Number of App Service instances (replicas). More than one needs PostgreSQL (always used here).')
param instanceCount int = 2

@description('Application (client) ID of the single-tenant Entra app registration for the bot.')
param botAadAppClientId string

@description('Directory (tenant) ID of the council.')
param botAadAppTenantId string = subscription().tenantId

@secure()
@description('Client secret of the app registration. Stored in Key Vault, never in app settings.')
param botAadAppClientSecret string

@maxLength(42)
@description('Bot name shown in Teams.')
param botDisplayName string = 'ChannelCheck'

@description('Council policy pack id (one of the files in policies/).')
param council string

@description('Teams conversation id of the safeguarding escalation channel (add the bot to it first; see docs/deploy.md). Empty: a warning at start and in /readyz.')
param escalationChannelConversationId string = ''

@description('Regular expression for the council\'s case references (the default: letters, digits, / and -, with a digit).')
param caseRefPattern string = '^(?=.*[0-9])[A-Za-z0-9][A-Za-z0-9/-]{2,31}$'

@description('Minutes before an unacknowledged safeguarding alert escalates.')
param ackTimeoutMinutes int = 15

@description('Administrator login for PostgreSQL.')
param postgresAdminLogin string = 'channelcheck'

@secure()
@description('Administrator password for PostgreSQL. Stored in Key Vault as part of DATABASE_URL.')
param postgresAdminPassword string

@description('PostgreSQL compute SKU (Burstable B1ms for a pilot; General Purpose D2ds_v5 for production).')
param postgresSkuName string = 'Standard_D2ds_v5'

@description('PostgreSQL compute tier matching postgresSkuName.')
@allowed(['Burstable', 'GeneralPurpose', 'MemoryOptimized'])
param postgresSkuTier string = 'GeneralPurpose'

@description('Days of PostgreSQL point-in-time-restore backups (7 to 35).')
@minValue(7)
@maxValue(35)
param postgresBackupRetentionDays int = 35

var webAppName = resourceBaseName
var keyVaultName = '${resourceBaseName}-kv'
var postgresServerName = '${resourceBaseName}-pg'
var databaseName = 'channelcheck'
var kvRef = (secretName string) => '@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName=${secretName})'

resource logs 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: '${resourceBaseName}-logs'
  location: location
  properties: { sku: { name: 'PerGB2018' }, retentionInDays: 90 }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: '${resourceBaseName}-ai'
  location: location
  kind: 'web'
  properties: { Application_Type: 'Node.JS', WorkspaceResourceId: logs.id }
}

resource postgres 'Microsoft.DBforPostgreSQL/flexibleServers@2024-08-01' = {
  name: postgresServerName
  location: location
  sku: { name: postgresSkuName, tier: postgresSkuTier }
  properties: {
    version: '16'
    administratorLogin: postgresAdminLogin
    administratorLoginPassword: postgresAdminPassword
    storage: { storageSizeGB: 32 }
    backup: { backupRetentionDays: postgresBackupRetentionDays, geoRedundantBackup: 'Disabled' }
    highAvailability: { mode: 'Disabled' }
  }
}

resource database 'Microsoft.DBforPostgreSQL/flexibleServers/databases@2024-08-01' = {
  parent: postgres
  name: databaseName
}

// Lets Azure services (the web app) reach the server. Replace with a private endpoint / VNet integration
// where the council's network policy asks for it.
resource postgresAllowAzure 'Microsoft.DBforPostgreSQL/flexibleServers/firewallRules@2024-08-01' = {
  parent: postgres
  name: 'AllowAzureServices'
  properties: { startIpAddress: '0.0.0.0', endIpAddress: '0.0.0.0' }
}

resource keyVault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: keyVaultName
  location: location
  properties: {
    tenantId: subscription().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    enablePurgeProtection: true
  }
}

resource secretAppPassword 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: keyVault
  name: 'MicrosoftAppPassword'
  properties: { value: botAadAppClientSecret }
}

resource secretDatabaseUrl 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: keyVault
  name: 'DatabaseUrl'
  properties: {
    value: 'postgres://${postgresAdminLogin}:${uriComponent(postgresAdminPassword)}@${postgres.properties.fullyQualifiedDomainName}:5432/${databaseName}?sslmode=require'
  }
}

resource serverfarm 'Microsoft.Web/serverfarms@2023-12-01' = {
  name: resourceBaseName
  location: location
  kind: 'linux'
  sku: { name: webAppSku, capacity: instanceCount }
  properties: { reserved: true }
}

resource webApp 'Microsoft.Web/sites@2023-12-01' = {
  name: webAppName
  location: location
  kind: 'app,linux'
  identity: { type: 'SystemAssigned' }
  properties: {
    serverFarmId: serverfarm.id
    httpsOnly: true
    keyVaultReferenceIdentity: 'SystemAssigned'
    siteConfig: {
      linuxFxVersion: 'NODE|20-lts'
      appCommandLine: 'npm start'
      alwaysOn: true
      ftpsState: 'Disabled'
      minTlsVersion: '1.2'
      healthCheckPath: '/readyz'
      appSettings: [
        // The zip carries its node_modules (with better-sqlite3 built for Linux, Node 20): no build on deploy.
        { name: 'SCM_DO_BUILD_DURING_DEPLOYMENT', value: 'false' }
        { name: 'WEBSITE_RUN_FROM_PACKAGE', value: '1' }
        { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: appInsights.properties.ConnectionString }
        { name: 'NODE_ENV', value: 'production' }
        { name: 'PORT', value: '8080' }
        { name: 'HOST', value: '0.0.0.0' }
        { name: 'LOG_LEVEL', value: 'info' }
        { name: 'LOG_FORMAT', value: 'json' }
        { name: 'MicrosoftAppId', value: botAadAppClientId }
        { name: 'MicrosoftAppPassword', value: kvRef('MicrosoftAppPassword') }
        { name: 'MicrosoftAppType', value: 'SingleTenant' }
        { name: 'MicrosoftAppTenantId', value: botAadAppTenantId }
        { name: 'CHANNELCHECK_COUNCIL', value: council }
        { name: 'CHANNELCHECK_TENANT_COUNCILS', value: '' }
        { name: 'DATABASE_URL', value: kvRef('DatabaseUrl') }
        { name: 'CHANNELCHECK_ALLOW_SQLITE_IN_PRODUCTION', value: 'false' }
        { name: 'CHANNELCHECK_SQLITE_PATH', value: '/home/data/channelcheck.db' } // unused while DATABASE_URL is set
        { name: 'CHANNELCHECK_CASE_REF_PATTERN', value: caseRefPattern }
        { name: 'CHANNELCHECK_DIRECTORY_GRAPH', value: 'true' }
        { name: 'CHANNELCHECK_DIRECTORY_FILE', value: '' } // optional: Heads of Service and delegates
        { name: 'CHANNELCHECK_GRAPH_BASE_URL', value: 'https://graph.microsoft.com/v1.0' }
        { name: 'CHANNELCHECK_AUTHORITY_HOST', value: 'https://login.microsoftonline.com' }
        { name: 'CHANNELCHECK_DIRECTORY_CACHE_SECONDS', value: '300' }
        { name: 'CHANNELCHECK_ESCALATION_CHANNEL', value: escalationChannelConversationId }
        { name: 'CHANNELCHECK_ACK_TIMEOUT_MINUTES', value: string(ackTimeoutMinutes) }
        { name: 'CHANNELCHECK_SERVICE_URL', value: 'https://smba.trafficmanager.net/teams/' }
        { name: 'CHANNELCHECK_DISPATCH_POLL_MS', value: '1000' }
        { name: 'CHANNELCHECK_DISPATCH_LEASE_SECONDS', value: '30' }
        { name: 'CHANNELCHECK_ROUTINE_RETRY_HOURS', value: '24' } // routine messages: retried for a day
        { name: 'CHANNELCHECK_URGENT_RETRY_CAP_SECONDS', value: '30' } // urgent alerts: never given up, at most 30 s apart
        { name: 'CHANNELCHECK_ALERT_DELIVERY_MINUTES', value: '2' } // not delivered by then: next level too, practitioner told to phone
        { name: 'CHANNELCHECK_RATE_LIMIT_POINTS', value: '30' }
        { name: 'CHANNELCHECK_RATE_LIMIT_WINDOW_SECONDS', value: '60' }
        { name: 'CHANNELCHECK_BOT_CERTIFICATE_FILE', value: '' } // set to use a certificate instead of the app password
        // botbuilder's cloud settings: the public cloud's values; change them only for a national cloud.
        { name: 'ChannelService', value: '' }
        { name: 'ValidateAuthority', value: 'true' }
        { name: 'ToChannelFromBotLoginUrl', value: '${environment().authentication.loginEndpoint}${botAadAppTenantId}' }
        { name: 'ToChannelFromBotOAuthScope', value: 'https://api.botframework.com' }
        { name: 'ToBotFromChannelTokenIssuer', value: 'https://api.botframework.com' }
        { name: 'ToBotFromChannelOpenIdMetadataUrl', value: 'https://login.botframework.com/v1/.well-known/openidconfiguration' }
        { name: 'ToBotFromEmulatorOpenIdMetadataUrl', value: 'https://login.microsoftonline.com/botframework.com/v2.0/.well-known/openid-configuration' }
        { name: 'OAuthUrl', value: 'https://api.botframework.com' }
        { name: 'CHANNELCHECK_TAB_CLIENT_ID', value: botAadAppClientId } // the tab's Teams SSO tokens are for the bot's Entra app
        { name: 'CHANNELCHECK_TAB_DEV_SIGNIN', value: 'false' } // the local development sign-in is refused in production
        { name: 'CHANNELCHECK_ENV_FILE', value: '' } // settings come from here only, never from a file in the package
      ]
    }
  }
}

// The web app's identity may read the secrets its Key Vault references name (Key Vault Secrets User).
resource webAppReadsSecrets 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: keyVault
  name: guid(keyVault.id, webApp.id, '4633458b-17de-408a-b874-0445c86b69e6')
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '4633458b-17de-408a-b874-0445c86b69e6')
    principalId: webApp.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

module azureBotRegistration './botRegistration/azurebot.bicep' = {
  name: 'Azure-Bot-registration'
  params: {
    resourceBaseName: resourceBaseName
    botAadAppClientId: botAadAppClientId
    botAadAppTenantId: botAadAppTenantId
    botAppDomain: webApp.properties.defaultHostName
    botDisplayName: botDisplayName
  }
}

output BOT_DOMAIN string = webApp.properties.defaultHostName
output BOT_AZURE_APP_SERVICE_RESOURCE_ID string = webApp.id
output POSTGRES_SERVER string = postgres.properties.fullyQualifiedDomainName
output KEY_VAULT_NAME string = keyVault.name
