// Azure SQL server with SQL and Entra authentication (the plan: --enable-ad-only-auth false) and its database.
// The web app signs in with its managed identity: its database user is created once by the Entra admin
// (infra/sql/create-app-user.sql), since ARM cannot create users inside a database.
param location string
param serverName string
param databaseName string
param sku string
param adminLogin string
@secure()
param adminPassword string
param entraAdminLogin string
param entraAdminObjectId string
param alertEmail string
param tags object

resource server 'Microsoft.Sql/servers@2023-08-01-preview' = {
  #checkov:skip=CKV_AZURE_113:App Service F1/B1 has no private endpoint; the firewall admits Azure services only (rule below).
  #checkov:skip=CKV2_AZURE_45:No private endpoint on the plan's tiers (see CKV_AZURE_113).
  #checkov:skip=CKV2_AZURE_27:The plan keeps SQL authentication beside Entra (--enable-ad-only-auth false) for the migration's admin login.
  name: serverName
  location: location
  tags: tags
  identity: { type: 'SystemAssigned' }
  properties: {
    administratorLogin: adminLogin
    administratorLoginPassword: adminPassword
    minimalTlsVersion: '1.2'
    publicNetworkAccess: 'Enabled'
    administrators: {
      administratorType: 'ActiveDirectory'
      principalType: 'Group'
      login: entraAdminLogin
      sid: entraAdminObjectId
      tenantId: tenant().tenantId
      azureADOnlyAuthentication: false
    }
  }
}

// 0.0.0.0 to 0.0.0.0 is Azure's "allow Azure services" rule: App Service reaches the server, the internet does not.
resource allowAzure 'Microsoft.Sql/servers/firewallRules@2023-08-01-preview' = {
  parent: server
  name: 'AllowAzureServices'
  properties: { startIpAddress: '0.0.0.0', endIpAddress: '0.0.0.0' }
}

resource database 'Microsoft.Sql/servers/databases@2023-08-01-preview' = {
  #checkov:skip=CKV_AZURE_26:Alert e-mails are set on the server's and the database's securityAlertPolicies (alertEmail); this check reads only ARM's nested resources form.
  #checkov:skip=CKV_AZURE_27:emailAccountAdmins is true in the server's and the database's securityAlertPolicies; this check reads only ARM's nested resources form.
  #checkov:skip=CKV_AZURE_224:Ledger makes tables append-only; the loads update and close versions in place.
  #checkov:skip=CKV_AZURE_229:Zone redundancy is not offered for the Basic service objective of the plan.
  parent: server
  name: databaseName
  location: location
  tags: tags
  sku: { name: sku }
  properties: {
    collation: 'SQL_Latin1_General_CP1_CI_AS'
    requestedBackupStorageRedundancy: 'Local'
  }
}

resource databaseAuditing 'Microsoft.Sql/servers/databases/auditingSettings@2023-08-01-preview' = {
  parent: database
  name: 'default'
  properties: {
    state: 'Enabled'
    isAzureMonitorTargetEnabled: true
    retentionDays: 90
  }
}

resource databaseAlerts 'Microsoft.Sql/servers/databases/securityAlertPolicies@2023-08-01-preview' = {
  parent: database
  name: 'Default'
  properties: {
    state: 'Enabled'
    emailAccountAdmins: true
    emailAddresses: empty(alertEmail) ? [] : [alertEmail]
  }
}

resource auditing 'Microsoft.Sql/servers/auditingSettings@2023-08-01-preview' = {
  parent: server
  name: 'default'
  properties: {
    state: 'Enabled'
    isAzureMonitorTargetEnabled: true
    retentionDays: 90
  }
}

// Audit events reach Log Analytics through a diagnostic setting on the master database, which Bicep can only scope
// through an `existing` master resource that static checks mistake for a database without auditing: it is one
// az command in infra/README.md.
resource securityAlerts 'Microsoft.Sql/servers/securityAlertPolicies@2023-08-01-preview' = {
  parent: server
  name: 'Default'
  properties: {
    state: 'Enabled'
    emailAccountAdmins: true
    emailAddresses: empty(alertEmail) ? [] : [alertEmail]
  }
}

output fqdn string = server.properties.fullyQualifiedDomainName
