// Log Analytics workspace and workspace-based Application Insights.
param location string
param logAnalyticsName string
param appInsightsName string
param tags object
@description('Days Log Analytics keeps data (30 is the free retention).')
param retentionDays int = 30

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: logAnalyticsName
  location: location
  tags: tags
  properties: {
    sku: { name: 'PerGB2018' }
    retentionInDays: retentionDays
    workspaceCapping: { dailyQuotaGb: 1 } // the plan's Application Insights budget: ~5 GB a month
  }
}

resource insights 'Microsoft.Insights/components@2020-02-02' = {
  name: appInsightsName
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
    IngestionMode: 'LogAnalytics'
    DisableLocalAuth: false // the SDK's connection string (instrumentation key) authenticates the exporter
  }
}

resource workbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  name: guid(insights.id, 'marketdata-workbook')
  location: location
  tags: tags
  kind: 'shared'
  properties: {
    displayName: 'marketdata: API, dependencies and loads'
    category: 'workbook'
    sourceId: insights.id
    serializedData: loadTextContent('../workbook.json')
  }
}

output logAnalyticsId string = workspace.id
output appInsightsId string = insights.id
output connectionString string = insights.properties.ConnectionString
