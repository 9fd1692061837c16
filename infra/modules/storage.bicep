// Storage account for downloaded files: HTTPS and TLS 1.2 only, no public blob access, no shared keys (the web
// app reaches it with its managed identity), and the lifecycle policy that is the production path of the
// storage plan: hot for coolAfterDays, cool to archiveAfterDays, archive after, deleted after deleteAfterDays,
// one rule per source container (firds, fitrs).
param location string
param name string
@description('One container per source (FIRDS and FITRS downloads), each covered by its own lifecycle rule.')
param containerNames array
param coolAfterDays int
param archiveAfterDays int
param deleteAfterDays int
param logAnalyticsId string
param tags object

resource account 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  #checkov:skip=CKV_AZURE_206:The files are re-downloadable copies of ESMA's public files; LRS is the plan's cost choice (Standard_LRS, 5 GB budget).
  #checkov:skip=CKV_AZURE_33:The account holds blobs only; no queue service is used, so queue logging has nothing to log.
  #checkov:skip=CKV_AZURE_59:App Service F1/B1 has no VNet integration or private endpoints; access is Entra-only (shared keys off) over HTTPS.
  #checkov:skip=CKV_AZURE_35:Default deny would lock out the web app, which has no fixed outbound address on F1/B1; shared keys are off and Entra RBAC guards every call.
  #checkov:skip=CKV2_AZURE_33:No private endpoint on the plan's App Service tiers (see CKV_AZURE_59).
  #checkov:skip=CKV2_AZURE_1:Microsoft-managed keys: the data is public ESMA reference files, no customer-managed key is needed.
  #checkov:skip=CKV2_AZURE_41:No SAS tokens are issued (shared keys are off), so there is no SAS expiration policy to set.
  #checkov:skip=CKV2_AZURE_40:Shared key access is disabled below (allowSharedKeyAccess false).
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: { name: 'Standard_LRS' }
  properties: {
    accessTier: 'Hot'
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    publicNetworkAccess: 'Enabled'
    networkAcls: { defaultAction: 'Allow', bypass: 'AzureServices' }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: account
  name: 'default'
  properties: {
    deleteRetentionPolicy: { enabled: true, days: 7 }
    containerDeleteRetentionPolicy: { enabled: true, days: 7 }
  }
}

resource containers 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = [
  for containerName in containerNames: {
    parent: blobService
    name: containerName
    properties: { publicAccess: 'None' }
  }
]

resource lifecycle 'Microsoft.Storage/storageAccounts/managementPolicies@2023-05-01' = {
  parent: account
  name: 'default'
  properties: {
    policy: {
      rules: [
        for containerName in containerNames: {
          enabled: true
          name: 'tier-and-retire-${containerName}'
          type: 'Lifecycle'
          definition: {
            filters: {
              blobTypes: ['blockBlob']
              prefixMatch: ['${containerName}/'] // every blob of the container
            }
            actions: {
              baseBlob: {
                tierToCool: { daysAfterModificationGreaterThan: coolAfterDays }
                tierToArchive: { daysAfterModificationGreaterThan: archiveAfterDays }
                delete: { daysAfterModificationGreaterThan: deleteAfterDays }
              }
            }
          }
        }
      ]
    }
  }
}

resource blobDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'blob-to-log-analytics'
  scope: blobService
  properties: {
    workspaceId: logAnalyticsId
    logs: [
      { category: 'StorageRead', enabled: true }
      { category: 'StorageWrite', enabled: true }
      { category: 'StorageDelete', enabled: true }
    ]
    metrics: [{ category: 'Transaction', enabled: true }]
  }
}

output id string = account.id
output blobEndpoint string = account.properties.primaryEndpoints.blob
