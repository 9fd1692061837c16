// Key Vault with RBAC authorization, soft delete and purge protection; holds the secrets config/keyvault.py reads.
param location string
param name string
@secure()
param sqlAdminPassword string
@secure()
param appInsightsConnectionString string
param logAnalyticsId string
param tags object

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  #checkov:skip=CKV_AZURE_109:App Service F1/B1 has no fixed outbound address or VNet; access is by Entra RBAC (Key Vault Secrets User) only.
  #checkov:skip=CKV_AZURE_189:Public network access is needed by the web app on the plan's tiers (see CKV_AZURE_109).
  #checkov:skip=CKV2_AZURE_32:No private endpoint on the plan's App Service tiers (see CKV_AZURE_109).
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: true
    publicNetworkAccess: 'Enabled'
    networkAcls: { defaultAction: 'Allow', bypass: 'AzureServices' }
  }
}

// Secret names: the environment variable with '_' as '-' (config/keyvault.py). DJANGO-SECRET-KEY is set by hand once
// (infra/README.md), so that a redeployment never rotates it.
resource sqlPassword 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  #checkov:skip=CKV_AZURE_41:The SQL admin password has no fixed expiry; it is rotated by hand (infra/README.md).
  parent: vault
  name: 'AZURE-SQL-PASSWORD'
  properties: { value: sqlAdminPassword, contentType: 'text/plain' }
}

resource insightsConnection 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  #checkov:skip=CKV_AZURE_41:A connection string changes only with the Application Insights resource; it has no expiry.
  parent: vault
  name: 'APPLICATIONINSIGHTS-CONNECTION-STRING'
  properties: { value: appInsightsConnectionString, contentType: 'text/plain' }
}

resource diagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'keyvault-to-log-analytics'
  scope: vault
  properties: {
    workspaceId: logAnalyticsId
    logs: [{ categoryGroup: 'audit', enabled: true }]
  }
}

output uri string = vault.properties.vaultUri
