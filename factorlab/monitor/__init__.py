"""Factor-change alerts: the alerts themselves (pure, :mod:`.alerts`) and the scheduled service
around them (:mod:`.service`).
"""

from factorlab.monitor.alerts import ALERT_COLUMNS, Thresholds, monitor
from factorlab.monitor.service import run_monitor

__all__ = ["ALERT_COLUMNS", "Thresholds", "monitor", "run_monitor"]
