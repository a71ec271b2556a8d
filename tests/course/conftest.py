# The notebooks are run by test_course_notebooks.py in a subprocess, not collected.
collect_ignore = ["run_course.py", "notebooks"]
