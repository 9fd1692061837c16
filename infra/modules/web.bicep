// App Service plan (Linux) and the Web App (Python 3.11, gunicorn) with a system-assigned identity. Secrets come
// from Key Vault at start-up (AZURE_KEY_VAULT_URL, config/keyvault.py); storage and SQL use the identity.
param location string
param planName string
param appName string
param sku string
param environmentName string
param keyVaultUri string
param storageAccountName string
@description('The source containers (firds, fitrs): each source\'s files in the container of its name.')
param sourceContainers array
// AZURE_STORAGE_CONTAINERS: source=container pairs, each source in the container of its name.
var containerSetting = [for source in sourceContainers: '${source}=${source}']
param sqlServerFqdn string
param sqlDatabaseName string
param storageBudgetGb int
param coolAfterDays int
param archiveAfterDays int
param deleteAfterDays int
param logAnalyticsId string
param tags object

resource plan 'Microsoft.Web/serverfarms@2023-12-01' = {
  #checkov:skip=CKV_AZURE_211:The plan's tiers are F1 (trial) and B1 (production, ~13 USD a month); P1v2+ would multiply the budget.
  #checkov:skip=CKV_AZURE_212:One instance on F1/B1; scaling out needs a Standard or Premium plan.
  #checkov:skip=CKV_AZURE_225:Zone redundancy needs a Premium plan (see CKV_AZURE_211).
  name: planName
  location: location
  tags: tags
  kind: 'linux'
  sku: { name: sku }
  properties: { reserved: true }
}

resource app 'Microsoft.Web/sites@2023-12-01' = {
  #checkov:skip=CKV_AZURE_13:The API has its own authentication (API keys, JWT) and /health/ must stay open to probes; App Service Authentication would sit in front of both.
  #checkov:skip=CKV_AZURE_17:Clients authenticate with API keys or tokens; requiring client certificates would lock them out.
  #checkov:skip=CKV_AZURE_88:No Azure Files share: files go to Blob Storage through the managed identity.
  #checkov:skip=CKV_AZURE_222:A public API; access is controlled by the app's own authentication and rate limits.
  #checkov:skip=CKV_AZURE_212:One instance on the plan's F1/B1 tiers (failover instances need Standard or Premium).
  #checkov:skip=CKV_AZURE_16:The identity is system-assigned (identity block below); this check looks for a user-assigned one in some versions.
  name: appName
  location: location
  tags: tags
  kind: 'app,linux'
  identity: { type: 'SystemAssigned' }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    clientCertEnabled: false
    siteConfig: {
      linuxFxVersion: 'PYTHON|3.11'
      appCommandLine: 'gunicorn config.wsgi:application --bind 0.0.0.0:8000 --timeout 120'
      alwaysOn: sku != 'F1' // F1 cannot stay on
      http20Enabled: true
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      ftpsState: 'Disabled'
      healthCheckPath: '/health/ready/'
      detailedErrorLoggingEnabled: true
      httpLoggingEnabled: true
      requestTracingEnabled: true
      remoteDebuggingEnabled: false
      appSettings: [
        { name: 'DJANGO_SETTINGS_MODULE', value: 'config.settings.production' }
        { name: 'DJANGO_ALLOWED_HOSTS', value: '${appName}.azurewebsites.net' }
        { name: 'DJANGO_CSRF_TRUSTED_ORIGINS', value: 'https://${appName}.azurewebsites.net' }
        { name: 'API_CLIENT_IP_HEADER', value: 'HTTP_X_FORWARDED_FOR' }
        { name: 'AZURE_KEY_VAULT_URL', value: keyVaultUri }
        { name: 'DATABASE_TYPE', value: 'azure_sql' }
        { name: 'AZURE_SQL_SERVER', value: sqlServerFqdn }
        { name: 'AZURE_SQL_DATABASE', value: sqlDatabaseName }
        { name: 'AZURE_SQL_AUTH_METHOD', value: 'entra' }
        { name: 'AZURE_STORAGE_ACCOUNT_NAME', value: storageAccountName }
        { name: 'AZURE_STORAGE_CONTAINERS', value: join(containerSetting, ',') }
        { name: 'STORAGE_BUDGET_GB', value: string(storageBudgetGb) }
        { name: 'STORAGE_COOL_DAYS', value: string(coolAfterDays) }
        { name: 'STORAGE_ARCHIVE_DAYS', value: string(archiveAfterDays) }
        { name: 'STORAGE_RETENTION_DAYS', value: string(deleteAfterDays) }
        { name: 'MARKETDATA_ENVIRONMENT', value: environmentName }
        { name: 'SCM_DO_BUILD_DURING_DEPLOYMENT', value: 'true' }
        { name: 'WEBSITES_PORT', value: '8000' }
      ]
    }
  }
}

resource diagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'web-to-log-analytics'
  scope: app
  properties: {
    workspaceId: logAnalyticsId
    logs: [
      { category: 'AppServiceHTTPLogs', enabled: true }
      { category: 'AppServiceConsoleLogs', enabled: true }
      { category: 'AppServiceAppLogs', enabled: true }
    ]
    metrics: [{ category: 'AllMetrics', enabled: true }]
  }
}

output principalId string = app.identity.principalId
output defaultHostName string = app.properties.defaultHostName
