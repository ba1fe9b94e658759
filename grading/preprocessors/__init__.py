"""nbgrader preprocessors of the course, named in ``nbgrader_config.py``.

In pipeline order: ``course_info`` (generate_assignment, generate_solution);
``strip_module_solutions`` (generate_assignment);
``snapshot``, ``defer_hidden_tests``, ``skip_experiments``,
``resilient_execute``, ``isolated_regrade``, ``model_answers``, ``safe_to_render`` (autograde);
``safe_to_render``, ``hide_hidden_tests`` and ``model_answers.DropModelAnswers`` (generate_feedback).
"""
