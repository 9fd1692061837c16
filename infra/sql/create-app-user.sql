-- Run once per environment as the server's Entra administrator, connected to the app's database
-- (not master), e.g. in the portal's query editor or with sqlcmd -G. The user name is the Web App's name:
-- its system-assigned identity. Replace marketdata-api-prod with marketdata-api-staging for staging.
CREATE USER [marketdata-api-prod] FROM EXTERNAL PROVIDER;
ALTER ROLE db_datareader ADD MEMBER [marketdata-api-prod];
ALTER ROLE db_datawriter ADD MEMBER [marketdata-api-prod];
-- migrate runs as the app (release step of .github/workflows/deploy.yml): it creates and alters tables.
ALTER ROLE db_ddladmin ADD MEMBER [marketdata-api-prod];
