"""Application Insights telemetry through the Azure Monitor OpenTelemetry distro."""

import logging

logger = logging.getLogger(__name__)
_configured = False


def configure_telemetry() -> bool:
    """Start exporting traces, logs and metrics when APPLICATIONINSIGHTS_CONNECTION_STRING is set."""
    global _configured
    from django.conf import settings

    connection_string = settings.APPLICATIONINSIGHTS_CONNECTION_STRING
    if _configured or not connection_string:
        return False
    from azure.monitor.opentelemetry import configure_azure_monitor

    configure_azure_monitor(connection_string=connection_string, logger_name="marketdata")
    _configured = True
    logger.info("Application Insights telemetry enabled")
    return True
