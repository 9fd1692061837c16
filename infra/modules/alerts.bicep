// Alert rules on Application Insights: failed loads (the load metrics of marketdata/telemetry.py) and the 5xx rate.
param location string
param environmentName string
param appInsightsId string
param alertEmail string
param tags object
@description('Share of requests answered 5xx, in percent, over 15 minutes, that raises the alert.')
param serverErrorPercent int = 5

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: 'ag-marketdata-${environmentName}'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'marketdata'
    enabled: true
    emailReceivers: empty(alertEmail) ? [] : [{ name: 'operators', emailAddress: alertEmail, useCommonAlertSchema: true }]
  }
}

resource failedLoads 'Microsoft.Insights/scheduledQueryRules@2023-03-15-preview' = {
  name: 'alert-marketdata-${environmentName}-failed-loads'
  location: location
  tags: tags
  properties: {
    displayName: 'marketdata ${environmentName}: a load failed'
    description: 'An IngestionRun ended failed (metric marketdata.load.runs with status failed).'
    severity: 2
    enabled: true
    scopes: [appInsightsId]
    evaluationFrequency: 'PT15M'
    windowSize: 'PT15M'
    criteria: {
      allOf: [
        {
          query: 'customMetrics | where name == "marketdata.load.runs" | where tostring(customDimensions.status) == "failed" | summarize failed = sum(valueSum) by source = tostring(customDimensions.source)'
          timeAggregation: 'Total'
          metricMeasureColumn: 'failed'
          dimensions: [{ name: 'source', operator: 'Include', values: ['*'] }]
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: { numberOfEvaluationPeriods: 1, minFailingPeriodsToAlert: 1 }
        }
      ]
    }
    actions: { actionGroups: [actionGroup.id] }
  }
}

resource serverErrors 'Microsoft.Insights/scheduledQueryRules@2023-03-15-preview' = {
  name: 'alert-marketdata-${environmentName}-5xx-rate'
  location: location
  tags: tags
  properties: {
    displayName: 'marketdata ${environmentName}: 5xx rate above ${serverErrorPercent} %'
    description: 'Share of requests answered with a 5xx status over the last 15 minutes.'
    severity: 1
    enabled: true
    scopes: [appInsightsId]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    criteria: {
      allOf: [
        {
          query: 'requests | summarize total = count(), errors = countif(toint(resultCode) >= 500) | where total > 0 | extend percent = 100.0 * errors / total'
          timeAggregation: 'Maximum'
          metricMeasureColumn: 'percent'
          operator: 'GreaterThan'
          threshold: serverErrorPercent
          failingPeriods: { numberOfEvaluationPeriods: 1, minFailingPeriodsToAlert: 1 }
        }
      ]
    }
    actions: { actionGroups: [actionGroup.id] }
  }
}
