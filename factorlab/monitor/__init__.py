"""Factor-change alerts, and the scheduled service around them.

The alerts themselves are pure (:mod:`.alerts`); the service runs them on a schedule
(:mod:`.service`).
"""

from factorlab.monitor.alerts import ALERT_COLUMNS, Thresholds, monitor
from factorlab.monitor.service import run_monitor

__all__ = ["ALERT_COLUMNS", "Thresholds", "monitor", "run_monitor"]
