"""The daily portfolio import (« encours »): format, pipeline, writing, reconciliation."""
