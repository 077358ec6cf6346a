"""Project 8: the evidence of your other projects, and the requirements of a job mapped onto it.

``evidence`` reads every other project's results file into flat evidence; ``mapping`` says which of your
numbers a written figure states, and maps a job description's requirements onto your evidence.
"""
