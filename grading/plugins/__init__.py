"""nbgrader plug-ins and hooks: the Moodle collector, the pre-autograde hook and the gradebook backup."""
