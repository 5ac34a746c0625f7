#include "test_support.h"
class TestSquadData : public QObject {
    Q_OBJECT
};
AX_TEST_MAIN(TestSquadData)
#include "test_squad_data.moc"
