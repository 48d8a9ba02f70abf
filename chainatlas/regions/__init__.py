"""Administrative divisions (adcodes) and named parks: loading and lookup."""

from .lookup import RegionIndex, short_name, split_region_list

__all__ = ["RegionIndex", "short_name", "split_region_list"]
