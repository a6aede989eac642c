// The Azure Bot registration: single-tenant, pointing at the web app's /api/messages, with the Teams channel.

@maxLength(20)
@minLength(4)
param resourceBaseName string
param botAadAppClientId string
param botAadAppTenantId string
@description('Host name of the web app, without https://.')
param botAppDomain string
@maxLength(42)
param botDisplayName string
param botServiceSku string = 'F0'

resource botService 'Microsoft.BotService/botServices@2022-09-15' = {
  name: resourceBaseName
  location: 'global'
  kind: 'azurebot'
  sku: { name: botServiceSku }
  properties: {
    displayName: botDisplayName
    endpoint: 'https://${botAppDomain}/api/messages'
    msaAppId: botAadAppClientId
    msaAppTenantId: botAadAppTenantId
    msaAppType: 'SingleTenant'
  }
}

resource teamsChannel 'Microsoft.BotService/botServices/channels@2022-09-15' = {
  parent: botService
  name: 'MsTeamsChannel'
  location: 'global'
  properties: { channelName: 'MsTeamsChannel' }
}
