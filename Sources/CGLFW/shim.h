// GLFW for windows and input, OpenGL 3.3 core prototypes from Khronos' glcorearb.h (libGL exports them on Linux).
#define GL_GLEXT_PROTOTYPES 1
#include <GL/glcorearb.h>
#define GLFW_INCLUDE_NONE 1
#include <GLFW/glfw3.h>
