// marketdata on Azure, one environment per resource group: Azure SQL (SQL and Entra authentication), App Service
// (Linux, Python 3.11) with a system-assigned identity, Blob Storage with the tiering lifecycle policy, Key Vault,
// Application Insights on Log Analytics, a workbook and alert rules.
// Deploy: az deployment group create -g <group> -f infra/main.bicep -p @infra/parameters/<env>.parameters.json
targetScope = 'resourceGroup'

@allowed(['staging', 'production'])
@description('Which environment this deployment is; names default to the migration plan\'s.')
param environmentName string

@description('Azure region (the plan: Sweden Central).')
param location string = 'swedencentral'

@description('Resource names; empty takes the plan\'s name for the environment.')
param sqlServerName string = ''
param sqlDatabaseName string = ''
param appServicePlanName string = ''
param webAppName string = ''
param storageAccountName string = ''
param keyVaultName string = ''
param appInsightsName string = ''
param logAnalyticsName string = ''

@description('SQL authentication administrator (the plan: marketdataadmin); its password goes to Key Vault too.')
param sqlAdminLogin string = 'marketdataadmin'

@secure()
@description('Password of the SQL administrator (pass it at deployment time, never in a parameter file).')
param sqlAdminPassword string

@description('Entra ID administrator of the SQL server: a user or group display name and its object id.')
param entraAdminLogin string
param entraAdminObjectId string

@description('App Service plan SKU (the plan: F1 to try, B1 for production).')
param appServiceSku string = environmentName == 'production' ? 'B1' : 'F1'

@description('Azure SQL service objective (the plan: Basic).')
param sqlSku string = 'Basic'

@description('One blob container per source the app downloads (AZURE_STORAGE_CONTAINERS: firds/X.zip is blob X.zip in firds).')
param sourceContainers array = ['firds', 'fitrs']

@description('Lifecycle ages in days (STORAGE_COOL_DAYS, STORAGE_ARCHIVE_DAYS, STORAGE_RETENTION_DAYS).')
param coolAfterDays int = 7
param archiveAfterDays int = 30
param deleteAfterDays int = 365

@description('Storage budget in GB (STORAGE_BUDGET_GB; the plan: 5).')
param storageBudgetGb int = 5

@description('Who gets the alerts (empty: alerts fire without e-mail).')
param alertEmail string = ''

@description('Tags on every resource.')
param tags object = {
  application: 'marketdata'
  environment: environmentName
}

var isProduction = environmentName == 'production'
var suffix = isProduction ? 'prod' : 'staging'
var names = {
  sqlServer: empty(sqlServerName) ? (isProduction ? 'sqlsvr-marketdata-prod' : 'sql-marketdata-staging') : sqlServerName
  sqlDatabase: empty(sqlDatabaseName) ? 'marketdata-${suffix}' : sqlDatabaseName
  plan: empty(appServicePlanName) ? 'asp-marketdata-${suffix}' : appServicePlanName
  webApp: empty(webAppName) ? 'marketdata-api-${suffix}' : webAppName
  storage: empty(storageAccountName) ? 'stmarketdata${suffix}' : storageAccountName
  keyVault: empty(keyVaultName) ? 'kv-marketdata-${suffix}' : keyVaultName
  insights: empty(appInsightsName) ? (isProduction ? 'marketdata-api-insights' : 'marketdata-api-insights-staging') : appInsightsName
  logs: empty(logAnalyticsName) ? 'log-marketdata-${suffix}' : logAnalyticsName
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    location: location
    logAnalyticsName: names.logs
    appInsightsName: names.insights
    tags: tags
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    location: location
    name: names.storage
    containerNames: sourceContainers
    coolAfterDays: coolAfterDays
    archiveAfterDays: archiveAfterDays
    deleteAfterDays: deleteAfterDays
    logAnalyticsId: monitoring.outputs.logAnalyticsId
    tags: tags
  }
}

module sql 'modules/sql.bicep' = {
  name: 'sql'
  params: {
    location: location
    serverName: names.sqlServer
    databaseName: names.sqlDatabase
    sku: sqlSku
    adminLogin: sqlAdminLogin
    adminPassword: sqlAdminPassword
    entraAdminLogin: entraAdminLogin
    entraAdminObjectId: entraAdminObjectId
    alertEmail: alertEmail
    tags: tags
  }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  params: {
    location: location
    name: names.keyVault
    sqlAdminPassword: sqlAdminPassword
    appInsightsConnectionString: monitoring.outputs.connectionString
    logAnalyticsId: monitoring.outputs.logAnalyticsId
    tags: tags
  }
}

module web 'modules/web.bicep' = {
  name: 'web'
  params: {
    location: location
    planName: names.plan
    appName: names.webApp
    sku: appServiceSku
    environmentName: environmentName
    keyVaultUri: keyVault.outputs.uri
    storageAccountName: names.storage
    sourceContainers: sourceContainers
    sqlServerFqdn: sql.outputs.fqdn
    sqlDatabaseName: names.sqlDatabase
    storageBudgetGb: storageBudgetGb
    coolAfterDays: coolAfterDays
    archiveAfterDays: archiveAfterDays
    deleteAfterDays: deleteAfterDays
    logAnalyticsId: monitoring.outputs.logAnalyticsId
    tags: tags
  }
}

module roles 'modules/roles.bicep' = {
  name: 'roles'
  params: {
    principalId: web.outputs.principalId
    keyVaultName: names.keyVault
    storageAccountName: names.storage
  }
  dependsOn: [keyVault, storage]
}

module alerts 'modules/alerts.bicep' = {
  name: 'alerts'
  params: {
    location: location
    environmentName: environmentName
    appInsightsId: monitoring.outputs.appInsightsId
    alertEmail: alertEmail
    tags: tags
  }
}

output webAppName string = names.webApp
output webAppUrl string = 'https://${web.outputs.defaultHostName}'
output webAppPrincipalId string = web.outputs.principalId
output sqlServerFqdn string = sql.outputs.fqdn
output keyVaultUri string = keyVault.outputs.uri
output storageAccountName string = names.storage
